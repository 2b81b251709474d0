"""One mixed NLU model for English and Spanish, or one per language? Measured, not assumed.

    python scripts/compare_languages.py [--only mixed en es]   # make compare-languages; slow

Trains the production pipeline (config.yml) three times with `rasa train nlu`: on all of
data/nlu (mixed: what the project ships), on the English data alone (data/nlu without es/),
and on the Spanish data alone (data/nlu/es with the place names), then scores each with `rasa
test nlu` on the held-out sets of its languages: tests/nlu/heldout_contrast.yml (English) and
tests/nlu/heldout_es.yml (Spanish), neither ever trained or tuned on. Prints intent macro-F1
per model and set, with the train time, and writes results/languages/summary.json.
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from compare_pipelines import ComparisonError, rasa
from nlu_report import intent_macro_f1

ROOT = Path(__file__).resolve().parent.parent
NLU = ROOT / "data" / "nlu"
SETS = {"en": ROOT / "tests/nlu/heldout_contrast.yml", "es": ROOT / "tests/nlu/heldout_es.yml"}
OUT = ROOT / "results" / "languages"


def data_for(model: str, folder: Path) -> Path:
    """A folder with the NLU files of ``model`` ("mixed", "en" or "es")."""
    if model == "mixed":
        shutil.copytree(NLU, folder)
    elif model == "en":
        shutil.copytree(NLU, folder, ignore=shutil.ignore_patterns("es"))
    else:
        shutil.copytree(NLU / "es", folder)
        shutil.copy(NLU / "lookup_location.yml", folder)
    return folder


MODELS = {"mixed": ("en", "es"), "en": ("en",), "es": ("es",)}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", nargs="+", choices=list(MODELS), default=list(MODELS),
                        help="train and score only these models (the others keep their figures)")  # fmt: skip
    args = parser.parse_args(argv)
    OUT.mkdir(parents=True, exist_ok=True)
    kept = OUT / "summary.json"
    summary: dict[str, dict[str, float]] = json.loads(kept.read_text()) if kept.is_file() else {}
    with tempfile.TemporaryDirectory() as tmp:
        for model in args.only:
            languages = MODELS[model]
            data = data_for(model, Path(tmp) / model)
            out = Path(tmp) / f"{model}-model"
            seconds = rasa(["train", "nlu", "--nlu", str(data), "--config", "config.yml",
                            "--out", str(out), "--fixed-model-name", model], f"train {model}")  # fmt: skip
            row = {"train_seconds": round(seconds)}
            for language in languages:
                report = OUT / f"{model}-{language}"
                rasa(["test", "nlu", "--nlu", str(SETS[language]), "--model",
                      str(out / f"{model}.tar.gz"), "--out", str(report)], f"test {model}")  # fmt: skip
                row[f"macro_f1_{language}"] = round(intent_macro_f1(report), 4)
            summary[model] = row
            print(model, row, flush=True)
    (OUT / "summary.json").write_text(json.dumps(summary, indent=2) + "\n", encoding="utf-8")
    print(f"\n{'model':<8}{'English':>10}{'Spanish':>10}{'train s':>10}")
    for model, row in summary.items():
        en, es = row.get("macro_f1_en"), row.get("macro_f1_es")
        print(f"{model:<8}{en if en is not None else '':>10}{es if es is not None else '':>10}"
              f"{row['train_seconds']:>10}")  # fmt: skip
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except ComparisonError as exc:
        print(exc, file=sys.stderr)
        sys.exit(1)
