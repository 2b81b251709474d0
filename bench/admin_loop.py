"""The admin loop's times: from "train" to a gate verdict, a promotion, and what clients see
during one.

    .venv/bin/python bench/admin_loop.py [--promotions 3] [--rate 5] [--around 6]
                                         [--paths full,finetune]
                                         [--candidate MODEL [--skip-gate]]

On a copy of the project (scripts/fakes/project.py: nothing is written to the repository's data
or models), one message is labelled (a new find_food example, as an admin would), then one real
``rasa train`` and the gate (bot/admin/training.py's Trainer, as the page and the CLI run
them): the time from "train" to the verdict, split into training and gate. ``--paths`` names
the ways a candidate is trained, each on its own copy of the project, side by side in one run:
``finetune`` (the loop's way: fine-tuning the live model) and ``full`` (the old one, from
scratch); the first of them is the candidate promoted below. ``--candidate``
skips the training and gates that model instead (a figure for the gate alone); with
``--skip-gate`` too, only the promotions are measured.

Then Rasa (the model of the current data, as `make run` starts it) and the action server run
as children, the gateway in this process. Each round promotes the candidate, or rolls back to
the first model, through Rasa's ``PUT /model`` (bot/admin/models.py) while web-chat clients
write at ``--rate`` messages a second (open loop, a new client each, from ``--around``
seconds before the promotion until as long after it): the promotion's time, and for the
messages of the window their latency, how many got Rasa's answer, how many got the "assistant
is slow" notice instead, how many were lost (no reply at all) or answered twice (a client's
replies read back differ from its turn's answer). Figures are medians over the rounds; the
training is run once (it takes minutes).
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import json
import os
import secrets
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import aiohttp

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from actions.directory import build
from bench.common import RESULTS, summary_ms
from bot.admin import labels
from bot.admin.models import Models
from bot.admin.service import domain_intents
from bot.admin.training import Trainer
from bot.settings import Secret
from scripts.fakes.gateway import RunningGateway, loopback_settings
from scripts.fakes.project import copy_project
from scripts.model import model_path
from scripts.stack import ROOT, Stack, actions_spec, free_port, rasa_spec

LABELLED = "any chance of a feed tonight"
TEXTS = ("where can i sleep tonight", "i need food", "hello", "need a doctor", "thanks")


async def train_and_gate(
    project: Path, live: Path, finetune: bool = True
) -> tuple[Path, dict[str, Any]]:
    """One training and its gate; the candidate and the times."""
    label = labels.Label(LABELLED, "find_food")
    print("label:", labels.add(label, domain_intents(project), project), flush=True)
    trainer = Trainer(project, lambda: live, finetune=finetune)
    started = time.monotonic()
    trainer.start()
    gating_at = None
    shown = ""
    while trainer.progress.running:
        if trainer.progress.state == "gating" and gating_at is None:
            gating_at = time.monotonic()
        line = f"{trainer.progress.state} {trainer.progress.component} {trainer.progress.epoch}"
        if line != shown:
            print(line, flush=True)
            shown = line
        await asyncio.sleep(1.0)
    progress = await trainer.wait()
    ended = time.monotonic()
    if progress.state != "done" or not progress.model:
        raise SystemExit(f"training failed: {progress.error}\n" + "\n".join(progress.log_tail))
    keep_report(Path(progress.model))
    times = {
        "train_to_verdict_s": round(ended - started, 1),
        "train_s": round((gating_at or ended) - started, 1),
        "gate_s": round(ended - (gating_at or ended), 1),
        "verdict": progress.verdict,
        "method": progress.method,
        "note": progress.note,
    }
    return Path(progress.model), times


def keep_report(model: Path) -> None:
    """The gate's report (blind-set misses are counts, never texts) beside the figures."""
    report = model.with_suffix("").with_suffix(".gate.json")
    if report.is_file():
        RESULTS.mkdir(parents=True, exist_ok=True)
        (RESULTS / "admin_loop_gate.json").write_text(report.read_text())


async def gate_only(project: Path, live: Path, candidate: Path) -> dict[str, Any]:
    trainer = Trainer(project, lambda: live)
    started = time.monotonic()
    trainer.start(evaluate=candidate)
    progress = await trainer.wait()
    keep_report(candidate)
    return {"gate_s": round(time.monotonic() - started, 1), "verdict": progress.verdict}


async def one_round(
    gateway: RunningGateway, models: Models, target: Path, rate: float, around: float
) -> dict[str, Any]:
    """Clients writing at ``rate`` while ``target`` is promoted; what they saw."""
    results: list[dict[str, Any]] = []
    counter = itertools.count()
    promotion: dict[str, float] = {}

    async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=60)) as http:

        async def client(n: int) -> None:
            sender = f"bench-admin-{secrets.token_hex(8)}-{n}"
            started = time.monotonic()
            body = {"sender": sender, "text": TEXTS[n % len(TEXTS)]}
            try:
                async with http.post(f"{gateway.url}/api/webchat", json=body) as response:
                    answer = await response.json()
            except (aiohttp.ClientError, asyncio.TimeoutError) as exc:
                results.append({"n": n, "error": type(exc).__name__})
                return
            results.append({"n": n, "sender": sender, "latency": time.monotonic() - started,
                            "answer": answer, "at": started})  # fmt: skip

        async def load(until: asyncio.Event) -> list[asyncio.Task[None]]:
            tasks = []
            start = time.monotonic()
            while not until.is_set():
                n = next(counter)
                tasks.append(asyncio.create_task(client(n)))
                delay = start + (n + 1) / rate - time.monotonic()
                if delay > 0:
                    await asyncio.sleep(delay)
            return tasks

        async def promote(stop: asyncio.Event) -> None:
            await asyncio.sleep(around)
            promotion["start"] = time.monotonic()
            await models.promote(target, by="bench")
            promotion["end"] = time.monotonic()
            await asyncio.sleep(around)
            stop.set()

        stop = asyncio.Event()
        tasks, _ = await asyncio.gather(load(stop), promote(stop))
        await asyncio.gather(*tasks)
        await gateway.idle(timeout=120)
        doubled = lost = notices = answered = 0
        for result in results:
            if "error" in result:
                lost += 1
                continue
            answer = result["answer"]
            kinds = [r.get("kind") for r in answer.get("replies", [])]
            query = {"sender": result["sender"], "after": "0"}
            async with http.get(f"{gateway.url}/api/webchat/messages", params=query) as response:
                later = (await response.json())["messages"]
            if not later:
                lost += 1
            elif "notice" in kinds or answer.get("pending"):
                notices += 1
            else:
                answered += 1
            if len(later) > len(answer.get("replies", [])) and not answer.get("pending"):
                doubled += 1
    during = [r["latency"] for r in results
              if "latency" in r and promotion["start"] - 1 <= r["at"] <= promotion["end"]]  # fmt: skip
    return {
        "promotion_s": round(promotion["end"] - promotion["start"], 2),
        "sent": len(results),
        "answered": answered,
        "notices": notices,
        "lost": lost,
        "doubled": doubled,
        "latency_all": summary_ms([r["latency"] for r in results if "latency" in r]),
        "latency_during_promotion": summary_ms(during),
    }


async def main(args: argparse.Namespace) -> int:
    live = model_path(ROOT)
    if not live.is_file():
        print(f"no model at {live}: `make train` first", file=sys.stderr)
        return 1
    report: dict[str, Any] = {"rate": args.rate}
    with tempfile.TemporaryDirectory(prefix="admin-loop-") as tmp:
        work = Path(tmp)
        project = copy_project(work / "project")
        if args.candidate:
            candidate = Path(os.path.abspath(args.candidate))  # noqa: ASYNC240 - once
            if not args.skip_gate:
                report["gate"] = await gate_only(project, live, candidate)
        else:
            report["training"] = {}
            paths = [p.strip() for p in args.paths.split(",") if p.strip()]
            for n, path in enumerate(paths):
                # Each path on its own copy: the same label, its own candidates.
                copy = project if n == 0 else copy_project(work / f"project-{path}")
                made, report["training"][path] = await train_and_gate(copy, live, path != "full")
                if n == 0:
                    candidate = made
            if "full" in report["training"] and "finetune" in report["training"]:
                full, tuned = report["training"]["full"], report["training"]["finetune"]
                report["training"]["speedup"] = round(
                    full["train_to_verdict_s"] / tuned["train_to_verdict_s"], 2
                )
        print(json.dumps(report, indent=2), flush=True)
        if args.promotions == 0:
            RESULTS.mkdir(parents=True, exist_ok=True)
            (RESULTS / "admin_loop.json").write_text(json.dumps(report, indent=2))
            return 0
        token = secrets.token_urlsafe(16)
        actions_port, rasa_port = free_port(), free_port()
        build.build(work / "directory.db")
        stack = Stack()
        try:
            stack.start(
                actions_spec(actions_port, env={"DIRECTORY_DB": str(work / "directory.db")})
            )
            stack.start(rasa_spec(rasa_port, live, token,
                                  f"http://127.0.0.1:{actions_port}/webhook",
                                  str(work / "tracker.db")))  # fmt: skip
            await asyncio.to_thread(stack.wait_ready)
            rasa_url = f"http://127.0.0.1:{rasa_port}"

            def settings(url: str):
                return loopback_settings(url, work / "gateway.db", rasa_url,
                                         rasa_token=Secret(token), rasa_timeout=30.0)  # fmt: skip

            async with RunningGateway(settings) as gateway, aiohttp.ClientSession() as http:
                models = Models(project, http, [rasa_url], token)
                rounds = []
                for n in range(args.promotions):
                    target = candidate if n % 2 == 0 else live  # promote, then roll back
                    found = await one_round(gateway, models, target, args.rate, args.around)
                    found["model"] = target.name
                    print(json.dumps(found), flush=True)
                    rounds.append(found)
                report["rounds"] = rounds
                report["median"] = {
                    "promotion_s": statistics.median(r["promotion_s"] for r in rounds),
                    "p95_ms_during_promotion": statistics.median(
                        r["latency_during_promotion"]["p95_ms"] for r in rounds
                    ),
                    "max_ms_during_promotion": statistics.median(
                        r["latency_during_promotion"]["max_ms"] for r in rounds
                    ),
                    "lost": sum(r["lost"] for r in rounds),
                    "doubled": sum(r["doubled"] for r in rounds),
                    "notices": sum(r["notices"] for r in rounds),
                    "sent": sum(r["sent"] for r in rounds),
                }
        finally:
            await asyncio.to_thread(stack.stop)
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "admin_loop.json").write_text(json.dumps(report, indent=2))
    print(json.dumps({k: v for k, v in report.items() if k != "rounds"}, indent=2))
    return 0


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--promotions", type=int, default=3)
    parser.add_argument("--rate", type=float, default=5.0)
    parser.add_argument("--around", type=float, default=6.0, help="seconds of load each side")
    parser.add_argument("--paths", default="finetune", help="finetune, full, or both")
    parser.add_argument("--candidate", help="gate this model instead of training one")
    parser.add_argument("--skip-gate", action="store_true", help="with --candidate: promote only")
    arguments = parser.parse_args()
    if arguments.skip_gate and not arguments.candidate:
        parser.error("--skip-gate needs --candidate")
    raise SystemExit(asyncio.run(main(arguments)))
