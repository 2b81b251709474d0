"""The trainer runs one training at a time, shows its progress, gates it, and can be cancelled.

The commands are small stand-ins that write what `rasa train` and scripts/gate.py write (a real
training is in the admin loop's end-to-end test)."""

from __future__ import annotations

import asyncio
import json
import sys
import textwrap
from pathlib import Path

import pytest

from bot.admin.training import (
    CANDIDATES,
    MAX_CHAIN,
    Progress,
    Trainer,
    TrainingError,
    estimate,
    read_progress,
    training_record,
)

FAKE_TRAIN = textwrap.dedent(
    """
    import sys, time, pathlib
    out, name, pause = sys.argv[1], sys.argv[2], float(sys.argv[3])
    print("trained as", sys.argv[4], flush=True)
    print("INFO Starting to train component 'DIETClassifier'", flush=True)
    for epoch in range(1, 11):
        sys.stdout.write(f"\\rEpochs:  {epoch * 10}%|##| {epoch}/10 [00:01<00:00]")
        sys.stdout.flush()
        time.sleep(pause)
    if pause > 1:
        sys.exit(0)
    target = pathlib.Path(out) / f"{name}.tar.gz"
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(b"model")
    print(f"\\nYour Rasa model is trained and saved at '{target}'.", flush=True)
    """
)
FAKE_GATE = "import json, sys; open(sys.argv[1], 'w').write(json.dumps({'verdict': sys.argv[2]}))"


# Rasa refusing to fine-tune (a changed config, a new intent): an error, no model.
REFUSE_FINETUNE = (
    "import sys\nif sys.argv[4] != 'full':\n"
    "    print('InvalidConfigException: cannot finetune, the config changed'); sys.exit(1)\n"
)


def trainer(
    tmp_path: Path, pause: float = 0.0, verdict: str = "pass", code: int = 0,
    refuse_finetune: bool = False,
) -> Trainer:  # fmt: skip
    live = tmp_path / "live.tar.gz"
    live.write_bytes(b"live")
    script = tmp_path / "fake_train.py"
    body = (REFUSE_FINETUNE if refuse_finetune else "") + FAKE_TRAIN
    script.write_text(body + (f"\nsys.exit({code})\n" if code else ""))

    def train(root: Path, name: str, base: Path | None) -> list[str]:
        how = f"finetune:{base}" if base else "full"
        return [sys.executable, str(script), str(root / CANDIDATES), name, str(pause), how]

    def gate(root: Path, live: Path, candidate: Path, report: Path) -> list[str]:
        return [sys.executable, "-c", FAKE_GATE, str(report), verdict]

    return Trainer(tmp_path, lambda: live, train=train, gate=gate)


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("2026 INFO Starting to train component 'DIETClassifier'.", {"component": "DIETClassifier"}),
        ("Epochs:  45%|████▌     | 45/100 [00:45<00:55,  1.0s/it, t_loss=1.2]",
         {"percent": 45, "epoch": 45, "epochs": 100}),
        ("Your Rasa model is trained and saved at '/m/candidate.tar.gz'.",
         {"model": "/m/candidate.tar.gz"}),
        ("Processed trackers: 100%|██████████| 120/120", {}),
        ("gate: candidate parsed 150 of 869 examples",
         {"stage": "candidate parsed 150 of 869 examples"}),
    ],
)  # fmt: skip
def test_progress_is_read_from_rasas_output(line: str, expected: dict) -> None:
    progress = read_progress(Progress(state="training"), line)
    assert {k: getattr(progress, k) for k in expected} == expected


async def test_a_training_shows_its_epochs_and_ends_with_the_gates_verdict(tmp_path: Path) -> None:
    runner = trainer(tmp_path)
    runner.start()
    with pytest.raises(TrainingError, match="running already"):
        runner.start()
    done = await runner.wait()
    assert done.state == "done"
    assert done.verdict == "pass"
    assert (done.component, done.epoch, done.epochs) == ("DIETClassifier", 10, 10)
    assert _gate_report(Path(done.model or "")) == {"verdict": "pass"}


async def test_a_candidate_the_gate_refuses_is_kept_with_its_verdict(tmp_path: Path) -> None:
    done = await _run(trainer(tmp_path, verdict="fail"))
    assert (done.state, done.verdict) == ("done", "fail")


async def test_a_failed_training_says_so_and_leaves_no_model(tmp_path: Path) -> None:
    done = await _run(trainer(tmp_path, code=3))
    assert done.state == "failed"
    assert "exited with code 3" in (done.error or "")
    assert not list((tmp_path / CANDIDATES).glob("*.tar.gz"))


async def test_a_cancelled_training_stops_at_once_and_leaves_no_model(tmp_path: Path) -> None:
    runner = trainer(tmp_path, pause=5.0)
    runner.start()
    assert await runner.cancel() is True
    assert runner.progress.state == "cancelled"
    assert not list((tmp_path / CANDIDATES).glob("*.tar.gz"))
    assert await runner.cancel() is False  # nothing runs any more
    runner.start()  # a new one may start
    await runner.cancel()


def _gate_report(model: Path) -> dict:
    assert model.is_file()
    return dict(json.loads(model.with_suffix("").with_suffix(".gate.json").read_text()))


async def _run(runner: Trainer) -> Progress:
    runner.start()
    return await runner.wait()


async def test_the_gates_steps_show_and_the_next_run_is_estimated_from_the_last(
    tmp_path: Path,
) -> None:
    assert estimate(tmp_path) is None  # nothing to go by before the first run
    runner = trainer(tmp_path)
    seen: list[str | None] = []

    def gate(root: Path, live: Path, candidate: Path, report: Path) -> list[str]:
        steps = (
            "import json, sys, time\n"
            "print('gate: live model: results kept from an earlier gate', flush=True)\n"
            "print('gate: candidate parsed 50 of 100 examples', flush=True)\n"
            "time.sleep(1.5)\n"
            "open(sys.argv[1], 'w').write(json.dumps({'verdict': 'pass'}))\n"
        )
        return [sys.executable, "-c", steps, str(report)]

    runner.gate_cmd = gate
    runner.start()
    while runner.progress.state != "done":
        seen.append(runner.progress.stage)
        await asyncio.sleep(0.05)
    assert "candidate parsed 50 of 100 examples" in seen
    said = estimate(tmp_path)
    assert said is not None
    assert said.startswith("The last training took ")
    assert said.endswith(" s.")


async def test_a_candidate_is_fine_tuned_from_the_live_model_and_says_so(tmp_path: Path) -> None:
    run = trainer(tmp_path)
    run.start()
    progress = await run.wait()
    assert (progress.state, progress.method, progress.note) == ("done", "finetune", None)
    assert f"trained as finetune:{tmp_path / 'live.tar.gz'}" in progress.log_tail
    model = Path(progress.model or "")
    assert json.loads(training_record(model).read_text()) == {
        "method": "finetune",
        "base": "live.tar.gz",
        "chain": 1,
    }


async def test_when_rasa_cannot_fine_tune_the_candidate_is_trained_from_scratch(
    tmp_path: Path,
) -> None:
    run = trainer(tmp_path, refuse_finetune=True)
    run.start()
    progress = await run.wait()
    assert (progress.state, progress.verdict, progress.method) == ("done", "pass", "full")
    assert progress.note is not None
    assert progress.note.startswith("fine-tuning the live model failed")
    assert "cannot finetune" in progress.note
    assert "trained as full" in progress.log_tail
    assert json.loads(training_record(Path(progress.model or "")).read_text())["chain"] == 0


async def test_after_three_fine_tunings_in_a_row_the_next_is_from_scratch(tmp_path: Path) -> None:
    run = trainer(tmp_path)
    record = {"method": "finetune", "base": "older.tar.gz", "chain": MAX_CHAIN}
    training_record(tmp_path / "live.tar.gz").write_text(json.dumps(record))
    run.start()
    progress = await run.wait()
    assert progress.method == "full"
    assert progress.note == f"the live model comes from {MAX_CHAIN} fine-tunings in a row"
    assert "trained as full" in progress.log_tail
