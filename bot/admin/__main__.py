"""The admins' loop from a shell, with the same verbs as /admin and the same audit log.

    python -m bot.admin inbox                       # the messages to review, most urgent first
    python -m bot.admin label TEXT INTENT [--location WORDS] [--population WORDS [--is VALUE]]
    python -m bot.admin label --id N INTENT ...     # a message of the inbox, by its number
    python -m bot.admin discard ID
    python -m bot.admin train                       # train, show the epochs, then the gate
    python -m bot.admin evaluate [MODEL]            # the gate again (newest candidate)
    python -m bot.admin promote [MODEL]             # newest candidate that passed, by default
    python -m bot.admin rollback [MODEL]
    python -m bot.admin models
    python -m bot.admin audit

Every verb takes ``--as NAME`` (default: the user running it), written in the audit log. It
works on the gateway's store (GATEWAY_DATABASE_URL), the project (PROJECT_DIR) and Rasa
(RASA_TOKEN) of the settings, as the gateway does; the Rasa replicas are the ones a running
``make run`` started (its record, bot/replicas.py), else RASA_URL's. A promotion then reads
each replica's ``GET /status`` and names any that does not run the model. Ctrl-C during
``train`` cancels it. Exit status: 0 done, 1 refused or failed (the reason on stderr), 2 wrong
usage.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import getpass
import signal
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TextIO

import aiohttp

from bot import replicas
from bot.admin import labels, training
from bot.admin.models import PromotionError
from bot.admin.service import Admin, AdminError
from bot.admin.training import Progress, TrainingError
from bot.db import Database
from bot.errors import SettingsError, StoreError
from bot.settings import Settings, load_settings

REFUSED = (AdminError, labels.LabelError, TrainingError, PromotionError, StoreError)


def parser() -> argparse.ArgumentParser:
    top = argparse.ArgumentParser(prog="python -m bot.admin", description=__doc__.split("\n")[0])
    top.add_argument("--as", dest="actor", default=None, help="who does it (the audit log)")
    verbs = top.add_subparsers(dest="verb", required=True)
    inbox = verbs.add_parser("inbox", help="the messages to review")
    inbox.add_argument("--limit", type=int, default=50)
    label = verbs.add_parser("label", help="label words (or --id N: a message of the inbox)")
    label.add_argument("text")
    label.add_argument("intent")
    label.add_argument("--id", action="store_true", help="TEXT is the number of an inbox message")
    label.add_argument("--location", help="the words of the message that name a place")
    label.add_argument("--population", help="the words that name who the help is for")
    label.add_argument("--is", dest="population_value", choices=labels.POPULATION_VALUES)
    discard = verbs.add_parser("discard", help="take a message out of the inbox for good")
    discard.add_argument("id", type=int)
    verbs.add_parser("train", help="train a candidate and gate it")
    evaluate = verbs.add_parser("evaluate", help="gate a candidate against the live model")
    evaluate.add_argument("model", nargs="?")
    promote = verbs.add_parser("promote", help="make a candidate that passed the gate live")
    promote.add_argument("model", nargs="?")
    rollback = verbs.add_parser("rollback", help="make the previous live model live again")
    rollback.add_argument("model", nargs="?")
    verbs.add_parser("models", help="candidates, the live model, the history")
    verbs.add_parser("audit", help="who did what")
    return top


async def run(args: argparse.Namespace, settings: Settings, out: TextIO = sys.stdout) -> int:
    from bot.app import project_root

    actor = args.actor or getpass.getuser()
    root = project_root(settings)
    rasa_urls = replicas.recorded(root) or settings.rasa_urls
    db = Database(settings.database_url.reveal())
    await db.open()
    try:
        async with aiohttp.ClientSession() as http:
            admin = Admin.build(root, db, http, rasa_urls, settings.rasa_token.reveal())
            return await _verb(admin, args, actor, out)
    finally:
        await db.close()


async def _verb(admin: Admin, args: argparse.Namespace, actor: str, out: TextIO) -> int:
    def say(line: str) -> None:
        print(line, file=out, flush=True)

    if args.verb == "inbox":
        items, total = await admin.inbox(args.limit)
        say(f"{total} message(s) to review" + (f"; the first {len(items)}:" if items else "."))
        for item in items:
            guess = f"{item.intent} {item.confidence:.2f}" if item.intent else "no guess"
            say(f"#{item.id:<5} {item.kind:<12} x{item.count:<3} {item.text!r}")
            say(f"       {item.detail} (NLU: {guess})")
    elif args.verb == "label":
        spans = []
        if args.location:
            spans.append(labels.Span("location", args.location))
        if args.population:
            spans.append(labels.Span("population", args.population, args.population_value))
        if args.id:
            if not args.text.lstrip("#").isdigit():
                raise AdminError("with --id, give the message's number (python -m bot.admin inbox)")
            say(await admin.label(int(args.text.lstrip("#")), args.intent, spans, actor))
        else:
            say(await admin.label_text(args.text, args.intent, spans, actor))
    elif args.verb == "discard":
        say(await admin.discard(args.id, actor))
    elif args.verb in ("train", "evaluate"):
        if (known := training.estimate(admin.root)) is not None:
            say(known)
        if args.verb == "train":
            await admin.start_training(actor)
        else:
            await admin.evaluate(args.model, actor)
        progress = await _follow(admin, say, actor)
        return 0 if progress.state == "done" and progress.verdict == "pass" else 1
    elif args.verb == "promote":
        choice = await admin.promote(args.model, actor)
        say(f"{Path(choice.live or '').name} is live on every Rasa replica: {_each(admin)}.")
    elif args.verb == "rollback":
        choice = await admin.rollback(actor, args.model)
        say(
            f"Rolled back: {Path(choice.live or '').name} is live on every Rasa replica: {_each(admin)}."
        )
    elif args.verb == "models":
        for entry in admin.model_list():
            state = "LIVE" if entry["live"] else "earlier" if entry["in_history"] else "candidate"
            if not entry["exists"]:
                state += " (file missing)"
            say(f"{state:<22} gate: {entry['verdict'] or '-':<5} {entry['name']}")
    elif args.verb == "audit":
        for e in reversed(await admin.audit_log(100)):
            when = time.strftime("%Y-%m-%d %H:%M:%S", time.gmtime(e.at))
            say(f"{when}  {e.actor:<12} {e.action:<18} {e.subject}  {e.detail}")
    return 0


def _each(admin: Admin) -> str:
    """The replicas a promotion reached, each checked by its own ``GET /status``."""
    urls = admin.models.rasa_urls
    return f"{len(urls)} of {len(urls)} ({', '.join(urls)}), each checked by GET /status"


async def _follow(admin: Admin, say: Callable[[str], None], actor: str) -> Progress:
    """Show the progress until the training (and gate) ends; Ctrl-C cancels it."""
    shown = ""
    interrupted = asyncio.Event()
    loop = asyncio.get_running_loop()
    loop.add_signal_handler(signal.SIGINT, interrupted.set)
    try:
        while admin.trainer.progress.running and not interrupted.is_set():
            line = describe(admin.trainer.progress)
            if line != shown:
                say(line)
                shown = line
            with contextlib.suppress(asyncio.TimeoutError):
                await asyncio.wait_for(interrupted.wait(), 1.0)
    finally:
        loop.remove_signal_handler(signal.SIGINT)
    if interrupted.is_set():
        await admin.cancel_training(actor)
        say("cancelling...")
    progress = await admin.trainer.wait()
    say(describe(progress))
    return progress


def describe(progress: Progress) -> str:
    if progress.state == "training":
        how = "fine-tuning the live model" if progress.method == "finetune" else "training"
        if progress.note:
            how += f" ({progress.note})"
        if progress.epochs:
            return f"{how}, {progress.component}: epoch {progress.epoch}/{progress.epochs}"
        return f"{how}, {progress.component or '(starting)'}"
    if progress.state == "gating":
        step = f": {progress.stage}" if progress.stage else ""
        return f"gating {Path(progress.model or '').name} against the live model{step}"
    if progress.state == "done":
        return f"{Path(progress.model or '').name}: gate verdict {progress.verdict}"
    return f"{progress.state}: {progress.error or ''}".rstrip(": ")


def main(argv: Sequence[str] | None = None) -> int:
    args = parser().parse_args(argv)
    try:
        settings = load_settings()
        return asyncio.run(run(args, settings))
    except SettingsError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except REFUSED as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    raise SystemExit(main())
