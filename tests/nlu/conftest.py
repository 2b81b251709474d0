"""Fixtures of the NLU suite: training data, held-out set and domain, read by Rasa's own readers."""

from __future__ import annotations

import sys
from dataclasses import dataclass
from pathlib import Path

import pytest
import yaml
from rasa.shared.nlu.training_data.loading import load_data
from rasa.shared.nlu.training_data.training_data import TrainingData

ROOT = Path(__file__).resolve().parents[2]
NLU_DATA = ROOT / "data" / "nlu"
HELDOUT = ROOT / "tests" / "nlu" / "heldout.yml"

# The evaluation tools are scripts run by path (`python scripts/evaluate_nlu.py`) that import
# each other as top-level modules; the tests import them the same way.
if str(ROOT / "scripts") not in sys.path:
    sys.path.append(str(ROOT / "scripts"))


@pytest.fixture(scope="session")
def training() -> TrainingData:
    return load_data(str(NLU_DATA))


@pytest.fixture(scope="session")
def heldout() -> TrainingData:
    return load_data(str(HELDOUT))


@dataclass(frozen=True)
class DomainNames:
    """The intent and entity names of the domain: the interface the training data must keep."""

    intents: frozenset[str]
    entities: frozenset[str]


@pytest.fixture(scope="session")
def domain() -> DomainNames:
    """domain.yml's intents and entities."""
    files = [ROOT / "domain.yml"]
    intents: set[str] = set()
    entities: set[str] = set()
    for path in files:
        content = yaml.safe_load(path.read_text()) or {}
        # An intent or entity is a name, or a one-key mapping from its name to its options.
        intents |= {next(iter(i)) if isinstance(i, dict) else i for i in content.get("intents", [])}
        entities |= {
            next(iter(e)) if isinstance(e, dict) else e for e in content.get("entities", [])
        }
    return DomainNames(frozenset(intents), frozenset(entities))
