"""The risk model's regressions, as plain scikit-learn: fitted by Rasa, read by Rasa and the gateway.

Rasa's NLU component (:mod:`rasa_addons.risk`) fits a :class:`RiskModel` from the training data
and writes it into the model archive (``risk.skops`` in the component's folder); the gateway
reads the same file from the live model's archive (:mod:`bot.safety.opinion`) so that the
safety screen can ask it a second opinion without waiting for Rasa. Both read a message as
:func:`words` gives it, so both give a message the same score. This module imports neither Rasa
nor the gateway; the package does not re-export it (the action server has no scikit-learn).

The file is written with skops, as Rasa's own LogisticRegressionClassifier is, and holds only
scikit-learn's, numpy's and scipy's types. The vectorizers' vocabularies are written as arrays of
their terms and their idf weights, not as the fitted objects: skops writes a dictionary of
200,000 terms one entry at a time (160 MB, 5 s to read, 780 MB of memory), where an array is
34 MB in all and read in 0.05 s; the vectorizers are built again from them through their public
``vocabulary`` parameter and ``idf_``. A file of the earlier kind (``features`` fitted) is read
as it is.
"""

from __future__ import annotations

import re
import tarfile
from pathlib import Path
from typing import Any

import numpy as np
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.multiclass import OneVsRestClassifier
from sklearn.pipeline import FeatureUnion
from sklearn.preprocessing import MultiLabelBinarizer

from contract.needs import NEED_FOR_INTENT
from contract.risk import SELF_HARM
from contract.text import normalise

FILE = "risk.skops"
# Where Rasa keeps the file in a model archive: the folder of the component that wrote it.
IN_ARCHIVE = re.compile(r"^components/[^/]*RiskClassifier[^/]*/risk\.skops$")
# Types skops does not trust by default that a fitted model holds: TfidfTransformer keeps its
# idf weights as a sparse diagonal matrix (in a file of the earlier kind).
EXPECTED_TYPES = {"scipy.sparse._csr.csr_matrix"}
ESCALATE, CHECK, NONE = "escalate", "check", "none"
FORMAT = 2


def features() -> FeatureUnion:
    """Word unigrams and bigrams, and character 3- to 6-grams across word boundaries
    (misspellings, SMS spelling, and short phrases: "ed my", "me now"). Chosen on
    cross-validation against char_wb 2-5, word trigrams and a sentence embedding
    (docs/figures.md, "Risk: what was compared")."""
    return FeatureUnion(
        [
            ("words", TfidfVectorizer(ngram_range=(1, 2), sublinear_tf=True, lowercase=False)),
            (
                "chars",
                TfidfVectorizer(
                    analyzer="char", ngram_range=(3, 6), sublinear_tf=True, min_df=2,
                    lowercase=False,
                ),
            ),
        ]
    )  # fmt: skip


def words(texts: list[str]) -> list[str]:
    """What the features read: each text as `contract.normalise` gives it."""
    return [normalise(t).strip() for t in texts]


class RiskModel:
    """The three regressions and their shared features; plain scikit-learn, no Rasa."""

    def __init__(self, c: float = 32.0) -> None:
        self.c = c
        self.features = features()
        self.escalate = LogisticRegression(C=c, max_iter=4000)
        self.any = LogisticRegression(C=c, max_iter=4000)
        self.self_harm = LogisticRegression(C=c, max_iter=4000)
        self.needs = OneVsRestClassifier(LogisticRegression(C=c, max_iter=4000))
        self.need_names = MultiLabelBinarizer(classes=sorted(NEED_FOR_INTENT))

    def fit(
        self,
        texts: list[str],
        levels: list[str],
        risks: list[str | None],
        needs: list[list[str]] | None = None,
    ) -> RiskModel:
        x = self.features.fit_transform(words(texts))
        for estimator, rows_x, y in self._risk_targets(x, levels, risks):
            estimator.fit(rows_x, y)
        self.needs.fit(x, self.need_names.fit_transform(needs or [[] for _ in texts]))
        return self

    def _risk_targets(
        self, x: Any, levels: list[str], risks: list[str | None]
    ) -> list[tuple[LogisticRegression, Any, list[bool]]]:
        """Each risk regression with the rows of ``x`` it learns from and their labels."""
        rows = [i for i, risk in enumerate(risks) if risk is not None]
        return [
            (self.escalate, x, [level == ESCALATE for level in levels]),
            (self.any, x, [level != NONE for level in levels]),
            (self.self_harm, x[rows], [risks[i] == SELF_HARM for i in rows]),
        ]

    def can_refit(self) -> bool:
        """Whether :meth:`refit` can start from this fitted model: every regression fitted
        (a need with no example has a constant predictor instead, with nothing to start from)."""
        estimators = getattr(self.needs, "estimators_", [])
        return bool(estimators) and all(isinstance(e, LogisticRegression) for e in estimators)

    def refit(
        self,
        texts: list[str],
        levels: list[str],
        risks: list[str | None],
        needs: list[list[str]] | None = None,
    ) -> RiskModel:
        """Fit again on ``texts`` from this model's coefficients, with its features as they
        are (the vocabulary of the data it was first fitted on, as Rasa's own featurizers keep
        theirs when fine-tuning). The regressions are convex, so this reaches the same optimum
        as a fit from scratch over the same features, in a few iterations instead of a hundred
        or more: in a fine-tuned candidate, 14 s instead of 38 s (docs/admin.md)."""
        x = self.features.transform(words(texts))
        labels = self.need_names.transform(needs or [[] for _ in texts])
        fits = self._risk_targets(x, levels, risks) + [
            (e, x, labels[:, j]) for j, e in enumerate(self.needs.estimators_)
        ]
        for estimator, rows_x, y in fits:
            estimator.set_params(warm_start=True).fit(rows_x, y)
            estimator.set_params(warm_start=False)
        return self

    def escalate_of(self, texts: list[str]) -> list[float]:
        """P(escalate) of each text alone: what the gateway's screen asks (bot/safety/opinion.py)."""
        x = self.features.transform(words(texts))
        return [round(float(p), 4) for p in self.escalate.predict_proba(x)[:, 1]]

    def scores(self, texts: list[str]) -> list[dict[str, Any]]:
        x = self.features.transform(words(texts))
        escalate = self.escalate.predict_proba(x)[:, 1]
        any_risk = self.any.predict_proba(x)[:, 1]
        self_harm = self.self_harm.predict_proba(x)[:, 1]
        needs = self.needs.predict_proba(x)
        names = list(self.need_names.classes)
        return [
            {"escalate": round(float(e), 4), "any": round(float(max(a, e)), 4),
             "self_harm": round(float(s), 4),
             "needs": {names[j]: round(float(p), 4) for j, p in enumerate(row) if p >= 0.2}}
            for e, a, s, row in zip(escalate, any_risk, self_harm, needs, strict=True)
        ]  # fmt: skip


def dumps(model: RiskModel) -> bytes:
    """The model as the bytes of a ``risk.skops`` file (see the module's docstring)."""
    import skops.io as sio

    terms: dict[str, Any] = {}
    idf: dict[str, Any] = {}
    for name, vectorizer in model.features.transformer_list:
        vocabulary = vectorizer.vocabulary_
        terms[name] = np.array(sorted(vocabulary, key=vocabulary.__getitem__), dtype=str)
        idf[name] = np.asarray(vectorizer.idf_)
    parts = {
        "format": FORMAT,
        "terms": terms,
        "idf": idf,
        "escalate": model.escalate,
        "any": model.any,
        "self_harm": model.self_harm,
        "needs": model.needs,
        "need_names": model.need_names,
    }
    return bytes(sio.dumps(parts))


def loads(data: bytes, c: float = 32.0) -> RiskModel:
    """The model of a ``risk.skops`` file's bytes; ValueError when they hold a type that is not
    scikit-learn's, numpy's or scipy's own, or are not such a file."""
    import skops.io as sio

    try:
        untrusted = set(sio.get_untrusted_types(data=data)) - EXPECTED_TYPES
        parts = None if untrusted else sio.loads(data, trusted=sorted(EXPECTED_TYPES))
    except Exception as exc:  # a zip, a JSON or a type error in bytes that are not such a file
        raise ValueError(f"not a risk model: {exc!r}") from exc
    if parts is None:
        raise ValueError(f"untrusted types in the risk model: {sorted(untrusted)}")
    if not isinstance(parts, dict) or not ({"features", "terms"} & set(parts)):
        raise ValueError("not a risk model: no vectorizers")
    model = RiskModel(c)
    if "features" in parts:  # the earlier kind: the fitted vectorizers themselves
        model.features = parts["features"]
    else:
        for name, vectorizer in model.features.transformer_list:
            found = parts["terms"][name].tolist()
            vectorizer.set_params(vocabulary={term: i for i, term in enumerate(found)})
            vectorizer._validate_vocabulary()  # sets vocabulary_, as fit does
            vectorizer.idf_ = parts["idf"][name]
    model.escalate, model.any, model.self_harm = (
        parts["escalate"], parts["any"], parts["self_harm"],
    )  # fmt: skip
    model.needs, model.need_names = parts["needs"], parts["need_names"]
    return model


def from_archive(path: Path) -> RiskModel:
    """The risk model inside a Rasa model archive (``models/*.tar.gz``); ValueError when the
    archive cannot be read or holds none."""
    try:
        with tarfile.open(path, "r:gz") as archive:
            member = next((m for m in archive if IN_ARCHIVE.match(m.name.lstrip("/"))), None)
            if member is None:
                raise ValueError(f"{path.name} holds no risk model")
            read = archive.extractfile(member)
            if read is None:
                raise ValueError(f"{path.name}: {member.name} is not a file")
            data = read.read()
    except (OSError, tarfile.TarError, EOFError) as exc:
        raise ValueError(f"cannot read {path}: {exc}") from exc
    return loads(data)
