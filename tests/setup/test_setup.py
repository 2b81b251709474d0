"""The set-up a newcomer trusts: finding Python 3.10, training only when something changed."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from scripts import model

ROOT = Path(__file__).resolve().parents[2]


def test_find_python_names_a_python_3_10() -> None:
    found = subprocess.run(
        [ROOT / "scripts" / "find-python"], capture_output=True, text=True, check=True
    )
    version = subprocess.run(
        [found.stdout.strip(), "--version"], capture_output=True, text=True, check=True
    )
    assert version.stdout.startswith("Python 3.10")


def test_find_python_says_what_to_install_when_there_is_none(tmp_path: Path) -> None:
    # A PATH with only a Python 3.11 on it, and no pyenv.
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    python311 = shutil.which("python3.11") or "/usr/local/bin/python3.11"
    for name in ("python3", "python3.10"):  # a python3.10 that is really 3.11, like pyenv's shim
        (bin_dir / name).symlink_to(python311)
    env = {"PATH": f"{bin_dir}:/usr/bin:/bin", "HOME": str(tmp_path)}
    result = subprocess.run(
        [ROOT / "scripts" / "find-python"], capture_output=True, text=True, env=env
    )
    assert result.returncode == 1
    assert "no Python 3.10 found" in result.stderr
    assert "apt-get install python3.10" in result.stderr
    assert "pyenv install 3.10.13" in result.stderr


def copy_project(tmp_path: Path) -> Path:
    for name in (
        "config.yml",
        "requirements/rasa.txt",
        "domain.yml",
        "data",
        "region",
        "tests/nlu",
    ):
        source = ROOT / name
        target = tmp_path / name
        target.parent.mkdir(parents=True, exist_ok=True)
        if source.is_dir():
            shutil.copytree(source, target)
        elif source.exists():
            shutil.copy(source, target)
    return tmp_path


def test_the_model_fingerprint_follows_training_inputs_only(tmp_path: Path) -> None:
    project = copy_project(tmp_path)
    before = model.fingerprint(project)
    assert model.fingerprint(project) == before  # stable
    (project / "tests" / "nlu").mkdir(parents=True, exist_ok=True)
    (project / "tests" / "nlu" / "extra.yml").write_text("# the held-out set is not trained on\n")
    assert model.fingerprint(project) == before
    rules = project / "data" / "rules" / "chitchat.yml"
    rules.write_text(rules.read_text() + "\n# changed\n")
    assert model.fingerprint(project) != before
    # The region's neighbourhoods are trained into the model (rasa_addons/places.py).
    after_rules = model.fingerprint(project)
    region = project / "region" / "san-mateo.yml"
    region.write_text(region.read_text().replace("bernal heights:", "bernal hts:"))
    assert model.fingerprint(project) != after_rules


@pytest.mark.slow
def test_a_second_run_does_not_train_again() -> None:
    path = model.train()  # trains only if `make test` has not already
    result = subprocess.run(
        [ROOT / ".venv" / "bin" / "python", ROOT / "scripts" / "model.py", "train"],
        capture_output=True,
        text=True,
        check=True,
        cwd=ROOT,
    )
    assert "Model is up to date" in result.stderr
    assert result.stdout.strip() == str(path)


def test_two_processes_asking_for_the_model_at_once_train_it_once(tmp_path: Path) -> None:
    # The slow tests' two workers both ask for the model (tests/servers.py): one trains, the
    # other waits for it and finds it made. A stand-in for `rasa train` that takes a second.
    fake_rasa = tmp_path / "bin" / "rasa"
    fake_rasa.parent.mkdir()
    fake_rasa.write_text(
        '#!/bin/sh\nsleep 1\necho trained >> "$COUNT"\n'
        'while [ "$1" != "--out" ]; do shift; done; out="$2"\n'
        'while [ "$1" != "--fixed-model-name" ]; do shift; done; touch "$out/$2.tar.gz"\n'
    )
    fake_rasa.chmod(0o755)
    script = (
        "import sys; from scripts import model; "
        f"sys.executable = {str(tmp_path / 'bin' / 'python')!r}; print(model.train())"
    )
    env = {"PATH": "/usr/bin:/bin", "MODEL_DIR": str(tmp_path / "models"),
           "COUNT": str(tmp_path / "count"), "PYTHONPATH": str(ROOT)}  # fmt: skip
    python = ROOT / ".venv" / "bin" / "python"
    both = [
        subprocess.Popen(
            [python, "-c", script],
            cwd=ROOT,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(2)
    ]
    outputs = [process.communicate(timeout=60) for process in both]
    assert [process.returncode for process in both] == [0, 0], outputs
    assert (tmp_path / "count").read_text().splitlines() == ["trained"]
    assert outputs[0][0] == outputs[1][0]  # the same model
    assert sorted("Model is up to date" in err for _, err in outputs) == [False, True]
