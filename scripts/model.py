"""Train a Rasa model only when none matches the current data and config.

    python scripts/model.py train   # train if needed, print the model's path
    python scripts/model.py path    # print the path of the model for the current files
    python scripts/model.py live    # print the path of the model `make run` starts

A model is named by a fingerprint of everything `rasa train` reads (config.yml, the domain,
data/) and the pinned Rasa version, so switching branches back and forth reuses models, and
nothing is retrained while the files are unchanged. The held-out set under tests/ is not an
input: it is never trained on.
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import os
import subprocess
import sys
from pathlib import Path

from dotenv import load_dotenv

ROOT = Path(__file__).resolve().parent.parent
load_dotenv(ROOT / ".env", override=False)  # the environment wins over .env
MODEL_DIR = ROOT / os.environ.get("MODEL_DIR", "models")  # relative paths are the project's
KEEP_MODELS = 3


def training_inputs(root: Path = ROOT) -> list[Path]:
    files = [root / "config.yml", root / "requirements" / "rasa.txt", root / "domain.yml"]
    files += sorted((root / "data").rglob("*.yml"))
    # The region's neighbourhoods are trained into the model (rasa_addons/places.py).
    files += sorted((root / "region").glob("*.yml"))
    return files


def fingerprint(root: Path = ROOT) -> str:
    digest = hashlib.sha256()
    for path in training_inputs(root):
        digest.update(str(path.relative_to(root)).encode())
        digest.update(b"\0")
        digest.update(path.read_bytes())
        digest.update(b"\0")
    return digest.hexdigest()[:16]


def model_path(root: Path = ROOT) -> Path:
    return MODEL_DIR / f"model-{fingerprint(root)}.tar.gz"


def domain_args(root: Path = ROOT) -> list[str]:
    return ["--domain", "domain.yml"]


def train(root: Path = ROOT) -> Path:
    """The model of the current files, trained first if there is none. One training at a time
    (a lock beside the models): the slow tests' two workers may both ask for it."""
    MODEL_DIR.mkdir(parents=True, exist_ok=True)
    with (MODEL_DIR / ".training.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # released when the file closes
        return _train(root)


def _shown(path: Path, root: Path) -> Path:
    """``path`` relative to the project when it is inside it (MODEL_DIR may be elsewhere)."""
    return path.relative_to(root) if path.is_relative_to(root) else path


def _train(root: Path) -> Path:
    target = model_path(root)
    if target.exists():
        print(f"Model is up to date: {_shown(target, root)}", file=sys.stderr)
        return target
    print(f"Training {_shown(target, root)} (data or config changed)...", file=sys.stderr)
    rasa = Path(sys.executable).with_name("rasa")
    env = {**os.environ, "RASA_TELEMETRY_ENABLED": "false", "TF_CPP_MIN_LOG_LEVEL": "2"}
    cmd = [
        str(rasa),
        "train",
        "--config",
        "config.yml",
        *domain_args(root),
        "--data",
        "data",
        "--out",
        str(MODEL_DIR),
        "--fixed-model-name",
        target.name.removesuffix(".tar.gz"),
        # `make validate` (`rasa data validate --fail-on-warnings`) checks the data, as part of
        # `make test`; validating again here cost a minute of every training.
        "--skip-validation",
    ]
    subprocess.run(cmd, cwd=root, env=env, check=True)
    prune(keep=target)
    return target


def prune(keep: Path) -> None:
    """Keep the newest few models, so that the models folder does not grow without end.

    A model an admin promoted, or may roll back to (models/live.json), is never deleted.
    """
    chosen = {str(path) for path in admin_models()}
    models = sorted(MODEL_DIR.glob("model-*.tar.gz"), key=lambda p: p.stat().st_mtime, reverse=True)
    for old in [m for m in models if m != keep and str(m.resolve()) not in chosen][
        KEEP_MODELS - 1 :
    ]:
        old.unlink()


def admin_models() -> list[Path]:
    """The live model and its history, as an admin chose them (bot/admin/models.py)."""
    try:
        choice = json.loads((MODEL_DIR / "live.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return []
    named = [choice.get("live"), *(choice.get("history") or [])]
    return [Path(p).resolve() for p in named if isinstance(p, str) and p]


def live_model(root: Path = ROOT) -> Path:
    """The model `make run` starts: the one an admin promoted if it still exists, else the
    one trained from the current files."""
    chosen = admin_models()
    if chosen and chosen[0].is_file():
        return chosen[0]
    return model_path(root)


def main(argv: list[str]) -> int:
    if argv[1:] == ["train"]:
        print(train())
        return 0
    if argv[1:] == ["path"]:
        print(model_path())
        return 0
    if argv[1:] == ["live"]:
        print(live_model())
        return 0
    print(__doc__, file=sys.stderr)
    return 2


if __name__ == "__main__":
    try:
        raise SystemExit(main(sys.argv))
    except subprocess.CalledProcessError as exc:
        print(f"error: rasa train failed with exit code {exc.returncode}", file=sys.stderr)
        raise SystemExit(1) from exc
