"""Choose the intent classifier's regularisation on cross-validation of the training data.

    python scripts/tune_intents.py [--model M] [--c 0.5,1,2,4,8] [--folds 3]

config.yml's intent classifier (rasa_addons/intents.py) is a logistic regression on the
featurizers' word and character n-gram counts, and its one number is ``C``, the inverse of the
regularisation: too small and a message carried by one decisive word ("sos") comes out flat, below
the FallbackClassifier's threshold; too large and it learns the training sentences by heart.
Choosing it on a held-out set would make that set's figures in-sample, so this script featurizes
data/nlu once with a trained model's own featurizers (the current model by default), splits it
into ``--folds`` folds (stratified by intent, a fixed seed), and for each ``C`` fits the
classifier as the component does (its settings in config.yml, ``C`` apart) on all folds but one and predicts the one left out. It prints,
per ``C``: macro-F1 and accuracy, what the FallbackClassifier at config.yml's threshold would
catch and lose, and risk examples read as a risk intent (and others read as one).

The featurizers' vocabularies are the trained model's, learnt from all of data/nlu: only the
regression is refit per fold, which is what ``C`` changes. Three to six minutes on two cores
(featurizing 20,000 examples, about 80 s; then 15 to 35 s a fit, two at a time).
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "scripts"))

from contract import RISK_INTENTS  # noqa: E402


def classifier_node(schema: Any) -> str:
    """The name of the intent classifier's node in a model's predict graph."""
    from rasa.nlu.classifiers.logistic_regression_classifier import (
        LogisticRegressionClassifier,
    )

    for name, node in schema.nodes.items():
        if isinstance(node.uses, type) and issubclass(node.uses, LogisticRegressionClassifier):
            return name
    raise SystemExit("the model has no logistic regression intent classifier")


def featurize(model: Path) -> tuple[Any, list[str]]:
    """data/nlu's intent examples as the classifier sees them (sentence features), and labels."""
    from nlu_fallback import quiet_rasa

    quiet_rasa()
    from rasa.core.agent import Agent
    from rasa.core.channels.channel import UserMessage
    from rasa.shared.nlu.training_data.loading import load_data
    from scipy.sparse import csr_matrix, vstack

    agent = Agent.load(str(model))
    processor = agent.processor
    assert processor is not None
    schema = processor.model_metadata.predict_schema
    node = schema.nodes[classifier_node(schema)]
    featurized = node.needs["messages"]  # the node that hands the classifier its features
    examples = [
        m
        for m in load_data(str(ROOT / "data" / "nlu")).intent_examples
        if m.get("intent") and m.get("text")
    ]
    found = processor.graph_runner.run(
        inputs={"__message__": [UserMessage(str(m.get("text"))) for m in examples]},
        targets=[featurized],
    )[featurized]
    rows = []
    for message in found:
        sparse = message.get_sparse_features(attribute="text")[1]
        rows.append(csr_matrix(sparse.features))
    return vstack(rows).tocsr(), [str(m.get("intent")) for m in examples]


def pipeline_settings(name: str) -> dict[str, Any]:
    """config.yml's settings of the pipeline component ``name`` (empty when it has none)."""
    import yaml

    config = yaml.safe_load((ROOT / "config.yml").read_text(encoding="utf-8"))
    for component in config["pipeline"]:
        if component["name"] == name:
            return {k: v for k, v in component.items() if k != "name"}
    return {}


def fallback_threshold() -> float:
    return float(pipeline_settings("FallbackClassifier").get("threshold", 0.3))


def regression(c: float) -> Any:
    """A fresh copy of the scikit-learn regression config.yml's classifier fits, at ``C``."""
    from sklearn.base import clone

    from rasa_addons.intents import RegularisedLogisticRegression

    settings = pipeline_settings("rasa_addons.intents.RegularisedLogisticRegression")
    component = RegularisedLogisticRegression(
        {**RegularisedLogisticRegression.get_default_config(), **settings, "C": c},
        "tune_intents",
        None,  # type: ignore[arg-type]  # nothing is saved
        None,  # type: ignore[arg-type]
    )
    return clone(component.clf)


def sweep(X: Any, y: list[str], cs: list[float], folds: int, jobs: int = 2) -> list[dict]:
    """Out-of-fold predictions for each C, and what they would mean."""
    from joblib import Parallel, delayed
    from sklearn.metrics import f1_score
    from sklearn.model_selection import StratifiedKFold

    labels = np.array(y)
    splits = list(StratifiedKFold(folds, shuffle=True, random_state=0).split(X, labels))

    def fit(c: float, k: int) -> tuple[float, int, Any, Any, float]:
        train, test = splits[k]
        started = time.monotonic()
        clf = regression(c)
        clf.fit(X[train], labels[train])
        probabilities = clf.predict_proba(X[test])
        return (
            c, k, clf.classes_[probabilities.argmax(1)], probabilities.max(1),
            time.monotonic() - started,
        )  # fmt: skip

    fits = Parallel(n_jobs=jobs)(delayed(fit)(c, k) for c in cs for k in range(folds))
    threshold = fallback_threshold()
    risk = np.isin(labels, RISK_INTENTS)
    rows = []
    for c in cs:
        predicted = np.empty(len(labels), dtype=object)
        confidence = np.zeros(len(labels))
        seconds = 0.0
        for fc, k, p, conf, s in fits:
            if fc == c:
                predicted[splits[k][1]], confidence[splits[k][1]] = p, conf
                seconds += s
        right = predicted == labels
        falls = confidence < threshold
        read_risk = np.isin(predicted, RISK_INTENTS)
        rows.append(
            {
                "C": c,
                "macro_f1": round(float(f1_score(labels, predicted, average="macro")), 4),
                "accuracy": round(float(right.mean()), 4),
                "threshold": threshold,
                "fallbacks": int(falls.sum()),
                "wrong_caught": int((falls & ~right).sum()),
                "right_lost": int((falls & right).sum()),
                "risk": int(risk.sum()),
                "risk_read_as_risk": int((read_risk & risk).sum()),
                "others_read_as_risk": int((read_risk & ~risk).sum()),
                "seconds_a_fit": round(seconds / folds, 1),
            }
        )
    return rows


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--model", type=Path, help="a trained model (default: the current one)")
    parser.add_argument("--c", default="0.5,1,2,4,8", help="the values of C, comma-separated")
    parser.add_argument("--folds", type=int, default=3)
    args = parser.parse_args(argv[1:])
    from model import model_path

    X, y = featurize(args.model or model_path())
    print(f"{X.shape[0]} training examples, {X.shape[1]} features; {args.folds} folds")
    for row in sweep(X, y, [float(c) for c in args.c.split(",")], args.folds):
        print(
            f"C={row['C']:<5g} macro-F1 {row['macro_f1']:.4f}  accuracy {row['accuracy']:.4f}  "
            f"fallback at {row['threshold']}: {row['fallbacks']} ({row['wrong_caught']} wrong "
            f"caught, {row['right_lost']} right lost)  risk read as risk "
            f"{row['risk_read_as_risk']}/{row['risk']}, others read as risk "
            f"{row['others_read_as_risk']}  {row['seconds_a_fit']} s a fit"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
