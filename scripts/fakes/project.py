"""A copy of the project that a real training may change: labels and candidates stay in it.

The admin loop's end-to-end test and ``bench/admin_loop.py`` train with ``rasa train`` and gate
with ``scripts/gate.py`` as an admin would, but must never write into the repository's data/
or models/. :func:`copy_project` copies what those two read (config, domain, NLU and dialogue
data, the gate's scripts and Rasa's custom components, the held-out sets as files, the
conversation tests) into a folder of the caller's.
"""

from __future__ import annotations

import shutil
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def copy_project(target: Path, blind: bool = True) -> Path:
    """Copy into ``target``; ``blind=False`` leaves the blind held-out set out (the gate then
    scores the other sets only)."""
    target.mkdir(parents=True, exist_ok=True)
    for name in ("config.yml", "domain.yml", "endpoints.yml", "credentials.yml"):
        shutil.copy(ROOT / name, target / name)
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc")
    for folder in ("data", "scripts", "rasa_addons", "contract", "region", "requirements"):
        shutil.copytree(ROOT / folder, target / folder, ignore=ignore)
    (target / "tests" / "nlu").mkdir(parents=True)
    for story in ROOT.glob("tests/test_*.yml"):  # the conversation tests
        shutil.copy(story, target / "tests" / story.name)
    for held_out in ROOT.glob("tests/nlu/heldout*.yml"):  # copied as files, never read here
        if not blind and held_out.name == "heldout_blind.yml":
            continue
        shutil.copy(held_out, target / "tests" / "nlu" / held_out.name)
    return target
