"""Training a candidate model in the background, one at a time, while Rasa keeps answering.

:class:`Trainer` runs ``rasa train`` (the project's data, config and domain) as a child process
in its own process group, into ``models/candidates/``: fine-tuned from the live model (Rasa's
``--finetune``: the featurizers keep the live vocabulary and add the new words, the risk model
starts from the live regressions; :data:`FINETUNE_FRACTION` of the epochs of a component that
learns by epochs, of which the pipeline has had none since the intent classifier became a
logistic regression; see docs/admin.md), or from scratch when fine-tuning is not possible (no
live model, a live model already fine-tuned :data:`MAX_CHAIN` times in a row, or Rasa refuses:
a changed config, a new intent), which the progress says (``method``, ``note``); reads its
output as it comes to show the progress (the component being trained, and its epochs for one
that has them, "DIETClassifier 45/100"), and can be cancelled (the whole group is stopped; a
half-written model is deleted). Then it runs the promotion gate (``scripts/gate.py``) on the new model against the live one and keeps the
gate's report beside the model (``<model>.gate.json``). :meth:`Trainer.start` with
``evaluate=`` runs the gate alone, on a candidate trained before.

One at a time across processes too (the gateway's page and the CLI): a run holds
``models/candidates/training.lock`` (its process id) while it trains or gates; a lock whose
process is gone is stale and taken over. :func:`running_elsewhere` says who holds it.

The gateway never imports Rasa: both are commands of the Rasa environment, run as children.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import os
import re
import signal
import sys
import time
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

log = logging.getLogger(__name__)

CANDIDATES = Path("models") / "candidates"
STOP_GRACE = 10.0  # seconds a cancelled training has to stop before it is killed
_COMPONENT = re.compile(r"Starting to train component '([^']+)'")
_EPOCHS = re.compile(r"Epochs:\s+(\d+)%\|[^|]*\|\s*(\d+)/(\d+)\s")
_SAVED = re.compile(r"Your Rasa model is trained and saved at '([^']+)'")
_GATE = re.compile(r"^gate: (.+)$")
LOCK = CANDIDATES / "training.lock"
FINETUNE_FRACTION = 0.2  # of an epoch-trained component's epochs, when fine-tuning
MAX_CHAIN = 3  # fine-tunings in a row before a training from scratch


class TrainingError(RuntimeError):
    """Training cannot start (one runs already) or failed; the message says which."""


@dataclass(frozen=True)
class Progress:
    """What a training run is doing, for the page and the CLI."""

    state: str = "idle"  # idle, training, gating, done, failed, cancelled
    started_at: float | None = None
    finished_at: float | None = None
    component: str | None = None
    epoch: int | None = None
    epochs: int | None = None
    percent: int | None = None
    stage: str | None = None  # the gate's last step: "candidate parsed 150 of 869 examples"
    method: str | None = None  # finetune (from the live model) or full (from scratch)
    note: str | None = None  # why it is trained from scratch, when it could not be fine-tuned
    gate_started_at: float | None = None
    model: str | None = None  # the candidate, once saved
    verdict: str | None = None  # the gate's: pass or fail
    error: str | None = None
    log_tail: tuple[str, ...] = field(default_factory=tuple)

    @property
    def running(self) -> bool:
        return self.state in ("training", "gating")

    def as_dict(self) -> dict[str, Any]:
        return {k: (list(v) if isinstance(v, tuple) else v) for k, v in self.__dict__.items()}


def read_progress(progress: Progress, line: str) -> Progress:
    """``progress`` updated with one line of ``rasa train``'s output."""
    if found := _COMPONENT.search(line):
        return replace(progress, component=found[1], epoch=None, epochs=None, percent=None)
    if found := _EPOCHS.search(line):
        return replace(progress, percent=int(found[1]), epoch=int(found[2]), epochs=int(found[3]))
    if found := _SAVED.search(line):
        return replace(progress, model=found[1])
    if found := _GATE.search(line):  # scripts/gate.py: "candidate parsed 150 of 869 examples"
        return replace(progress, stage=found[1])
    return progress


def train_command(root: Path, name: str, base: Path | None = None) -> list[str]:
    """``rasa train`` of the project into models/candidates/<name>.tar.gz; fine-tuned from
    ``base`` (skipping the data validation the labels already had) when it is given."""
    rasa = str(Path(sys.executable).with_name("rasa"))
    command = [rasa, "train", "--config", "config.yml", "--domain", "domain.yml", "--data",
               "data", "--out", str(root / CANDIDATES), "--fixed-model-name", name]  # fmt: skip
    if base is not None:
        command += ["--finetune", str(base), "--epoch-fraction", str(FINETUNE_FRACTION),
                    "--skip-validation"]  # fmt: skip
    return command


def training_record(model: Path) -> Path:
    """Beside a candidate: how it was trained (method, base model, fine-tunings in a row)."""
    return model.with_suffix("").with_suffix(".training.json")


def keep_training_record(model: Path, base: Path | None) -> None:
    """Write how ``model`` was trained beside it (fine-tuned from ``base``, or from scratch)."""
    if not model.is_file():
        return
    chain = chain_of(base) + 1 if base is not None else 0
    method = "finetune" if base is not None else "full"
    record = {"method": method, "base": base.name if base else None, "chain": chain}
    with contextlib.suppress(OSError):
        training_record(model).write_text(json.dumps(record) + "\n", encoding="utf-8")


def discard(model: Path) -> None:
    """A half-written or refused candidate, gone."""
    model.unlink(missing_ok=True)


def chain_of(model: Path) -> int:
    """How many fine-tunings in a row made ``model`` (0: trained from scratch, or unknown)."""
    try:
        found = json.loads(training_record(model).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return 0
    chain = found.get("chain") if isinstance(found, dict) else None
    return chain if isinstance(chain, int) and chain >= 0 else 0


def gate_command(root: Path, live: Path, candidate: Path, report: Path) -> list[str]:
    return [sys.executable, str(root / "scripts" / "gate.py"), "--live", str(live),
            "--candidate", str(candidate), "--out", str(report)]  # fmt: skip


class Trainer:
    """One training (then gate) at a time; its progress; cancel."""

    def __init__(
        self,
        root: Path,
        live_model: Callable[[], Path | None],
        train: Callable[[Path, str, Path | None], Sequence[str]] = train_command,
        gate: Callable[[Path, Path, Path, Path], Sequence[str]] = gate_command,
        on_finish: Callable[[Progress], Awaitable[None]] | None = None,
        clock: Callable[[], float] = time.time,
        finetune: bool = True,
    ) -> None:
        self.root = root
        self.finetune = finetune
        self.live_model = live_model
        self.train_cmd = train
        self.gate_cmd = gate
        self.on_finish = on_finish
        self.clock = clock
        self.progress = Progress()
        self._process: asyncio.subprocess.Process | None = None
        self._task: asyncio.Task[None] | None = None
        self._cancelled = False

    def start(self, evaluate: Path | None = None) -> Progress:
        """Start a training (or, with ``evaluate``, the gate alone on that candidate);
        :class:`TrainingError` if one runs already, here or in another process."""
        if self.progress.running:
            raise TrainingError("a training is running already: wait for it, or cancel it")
        if evaluate is not None and not evaluate.is_file():
            raise TrainingError(f"there is no model at {evaluate}")
        if not take_lock(self.root):
            raise TrainingError(
                f"a training is running already in process {running_elsewhere(self.root)}:"
                " wait for it, or cancel it where it was started"
            )
        name = time.strftime("candidate-%Y%m%d-%H%M%S", time.gmtime(self.clock()))
        self._cancelled = False
        state = "gating" if evaluate is not None else "training"
        self.progress = Progress(
            state=state, started_at=self.clock(), model=str(evaluate) if evaluate else None
        )
        self._task = asyncio.create_task(self._run(name, evaluate), name="admin training")
        return self.progress

    async def cancel(self) -> bool:
        """Stop the running training or gate; whether one was running."""
        if not self.progress.running or self._task is None:
            return False
        self._cancelled = True
        self._stop_process(signal.SIGTERM)
        try:
            await asyncio.wait_for(asyncio.shield(self._task), STOP_GRACE)
        except asyncio.TimeoutError:
            self._stop_process(signal.SIGKILL)  # it would not stop
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
        return True

    async def wait(self) -> Progress:
        if self._task is not None:
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
        return self.progress

    async def close(self) -> None:
        await self.cancel()

    async def _run(self, name: str, evaluate: Path | None = None) -> None:
        target = evaluate or self.root / CANDIDATES / f"{name}.tar.gz"
        try:
            if evaluate is None:
                code = await self._train(name, target)
                if self._cancelled:
                    target.unlink(missing_ok=True)
                    self._finish("cancelled")
                    return
                if code != 0 or not target.is_file():
                    target.unlink(missing_ok=True)
                    self._finish("failed", error=_failure(code, self.progress.log_tail))
                    return
            self.progress = replace(
                self.progress, state="gating", model=str(target), gate_started_at=self.clock()
            )
            live = self.live_model()
            report = target.with_suffix("").with_suffix(".gate.json")
            if live is None or not live.is_file():
                self._finish("failed", error="there is no live model to compare the candidate with")
                return
            code = await self._child(self.gate_cmd(self.root, live, target, report), read=True)
            if self._cancelled:
                self._finish("cancelled")
                return
            verdict = _verdict(report)
            if verdict is None:
                self._finish("failed", error=f"the gate could not run (exit {code})")
                return
            self._finish("done", verdict=verdict)
            record_durations(self.root, self.progress, trained=evaluate is None)
        except Exception as exc:  # the page must say what happened, whatever it was
            log.exception("training failed")
            self._finish("failed", error=f"{type(exc).__name__}: {exc}")
        finally:
            self._process = None
            release_lock(self.root)
            if self.on_finish is not None:
                await self.on_finish(self.progress)

    async def _train(self, name: str, target: Path) -> int:
        """Fine-tune the live model, or train from scratch when that is not possible (and say
        why); the exit code of the training that made the candidate."""
        live, why = self.live_model(), None
        if not self.finetune:
            why = "fine-tuning is off"
        elif live is None or not live.is_file():
            why = "there is no live model to fine-tune"
        elif chain_of(live) >= MAX_CHAIN:
            why = f"the live model comes from {chain_of(live)} fine-tunings in a row"
        base = live if why is None else None
        self.progress = replace(self.progress, method="finetune" if base else "full", note=why)
        code = await self._child(self.train_cmd(self.root, name, base), read=True)
        # Rasa refusing to fine-tune (a changed config, a new intent) exits with an error: train
        # from scratch. A training stopped by a signal (the OOM killer) is not retried: a full
        # training needs more of what it lacked; the page says it was stopped.
        if base is not None and code > 0 and not self._cancelled:
            said = _failure(code, self.progress.log_tail)
            note = f"fine-tuning the live model failed ({said}): trained from scratch instead"
            log.warning("training: %s", note)
            discard(target)
            self.progress = replace(
                self.progress, method="full", note=note, component=None, epoch=None,
                epochs=None, percent=None,
            )  # fmt: skip
            base = None
            code = await self._child(self.train_cmd(self.root, name, None), read=True)
        if code == 0:
            keep_training_record(target, base)
        return code

    async def _child(self, command: Sequence[str], read: bool) -> int:
        env = {**os.environ, "RASA_TELEMETRY_ENABLED": "false", "TF_CPP_MIN_LOG_LEVEL": "2"}
        self._process = await asyncio.create_subprocess_exec(
            *command, cwd=self.root, env=env, stdin=asyncio.subprocess.DEVNULL,
            stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT,
            start_new_session=True,  # its own group: cancel stops its children too
        )  # fmt: skip
        if self._cancelled:  # cancelled while it was starting
            self._stop_process(signal.SIGTERM)
        assert self._process.stdout is not None
        buffer = b""
        while chunk := await self._process.stdout.read(4096):
            buffer += chunk
            # tqdm redraws its bar with carriage returns: both end a line here.
            *lines, buffer = re.split(rb"[\r\n]", buffer)
            for raw in lines:
                line = raw.decode("utf-8", "replace").strip()
                if not line:
                    continue
                tail = (*self.progress.log_tail, line)[-20:]
                self.progress = replace(self.progress, log_tail=tail)
                if read:
                    self.progress = read_progress(self.progress, line)
            # tqdm draws its bar after a carriage return and ends it only with the next one:
            # the bar drawn last is read now, not when the next epoch is over.
            if read and buffer:
                self.progress = read_progress(self.progress, buffer.decode("utf-8", "replace"))
        return await self._process.wait()

    def _stop_process(self, how: signal.Signals) -> None:
        process = self._process
        if process is not None and process.returncode is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, how)

    def _finish(self, state: str, **changes: Any) -> None:
        self.progress = replace(self.progress, state=state, finished_at=self.clock(), **changes)
        log.info("training %s%s", state, f": {changes}" if changes else "")


DURATIONS = CANDIDATES / "last-run.json"


def record_durations(root: Path, progress: Progress, trained: bool) -> None:
    """How long the last finished training and its gate took: the next one's estimate (a gate
    run alone keeps the last training's time)."""
    if progress.started_at is None or progress.finished_at is None:
        return
    gate_from = progress.gate_started_at or progress.started_at
    found: dict[str, float] = {**last_durations(root)}
    if trained:
        found["train_seconds"] = round(gate_from - progress.started_at, 1)
    found["gate_seconds"] = round(progress.finished_at - gate_from, 1)
    with contextlib.suppress(OSError):
        (root / DURATIONS).write_text(json.dumps(found) + "\n", encoding="utf-8")


def estimate(root: Path) -> str | None:
    """What the last finished run took, as the admin reads it before starting one."""
    found = last_durations(root)
    if "train_seconds" not in found or "gate_seconds" not in found:
        return None
    return (
        f"The last training took {_minutes(found['train_seconds'])} and its gate"
        f" {_minutes(found['gate_seconds'])}."
    )


def _minutes(seconds: float) -> str:
    return f"{seconds:.0f} s" if seconds < 90 else f"{seconds / 60:.0f} min"


def last_durations(root: Path) -> dict[str, float]:
    """The last finished run's ``train_seconds`` and ``gate_seconds`` ({} before the first)."""
    try:
        found = json.loads((root / DURATIONS).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    if not isinstance(found, dict):
        return {}
    return {k: float(v) for k, v in found.items() if k in ("train_seconds", "gate_seconds")
            and isinstance(v, (int, float))}  # fmt: skip


def _failure(code: int, tail: Sequence[str]) -> str:
    """Why a training failed, in a line: its exit, and its last error line if it said one."""
    if code < 0:
        return f"rasa train was stopped by signal {-code} before it saved a model"
    said = [line for line in tail if "error" in line.lower() or "exception" in line.lower()]
    return f"rasa train exited with code {code}" + (f": {said[-1][:300]}" if said else "")


def take_lock(root: Path) -> bool:
    """Hold the training lock for this process; False if a live process holds it."""
    path = root / LOCK
    path.parent.mkdir(parents=True, exist_ok=True)
    for _ in range(2):
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
        except FileExistsError:
            if running_elsewhere(root) is not None:
                return False
            path.unlink(missing_ok=True)  # stale: its process is gone
            continue
        with os.fdopen(fd, "w") as file:
            file.write(str(os.getpid()))
        return True
    return False


def release_lock(root: Path) -> None:
    path = root / LOCK
    with contextlib.suppress(OSError, ValueError):
        if int(path.read_text() or "0") == os.getpid():
            path.unlink()


def running_elsewhere(root: Path) -> int | None:
    """The process id holding the training lock, if that process is alive."""
    try:
        pid = int((root / LOCK).read_text().strip() or "0")
    except (OSError, ValueError):
        return None
    if pid <= 0:
        return None
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return None
    except PermissionError:
        return pid
    return pid


def _verdict(report: Path) -> str | None:
    try:
        verdict = json.loads(report.read_text(encoding="utf-8")).get("verdict")
    except (OSError, ValueError):
        return None
    return verdict if verdict in ("pass", "fail") else None
