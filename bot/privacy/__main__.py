"""``python -m bot.privacy purge | erase | export | audit``: retention, erasure and access by hand.

    python -m bot.privacy purge                        # what the gateway does once a day
    python -m bot.privacy erase sms +14155550100       # one client, everywhere
    python -m bot.privacy erase --case 12              # the client of case 12
    python -m bot.privacy export telegram 123456789    # one client's data as JSON, on stdout
    python -m bot.privacy audit                        # the last purges, erasures and exports

The client id is the one the channel gives (the phone number with + and country code, the
Telegram chat id, the web chat sender); it is hashed with the gateway's salt, as the gateway
does, and never printed. ``--by`` names who acts, for the audit (default: ``cli:`` and the
user running it). Exit codes: 0 done; 1 bad input, nothing held, or refused (an open case);
2 the settings or a store cannot be used; 3 erased from the gateway store, Rasa's part pending
(the gateway finishes it once Rasa answers).
"""

from __future__ import annotations

import argparse
import asyncio
import getpass
import json
import sys
from typing import Any

import aiohttp

from bot.channels import NAMES as CHANNELS
from bot.channels.traits import traits
from bot.db import Database
from bot.errors import GatewayError, PrivacyError
from bot.privacy import load_hasher
from bot.privacy.audit import recent
from bot.privacy.service import Privacy
from bot.privacy.tracker import RasaEraser
from bot.settings import Settings, load_settings
from bot.tracker_store import engine_for


def client_id(channel: str, raw: str) -> str:
    """The client id as the channel gives it to the gateway; ValueError if it cannot be one."""
    return traits(channel).clean_address(raw)


def parser() -> argparse.ArgumentParser:
    top = argparse.ArgumentParser(prog="python -m bot.privacy", description=__doc__.split("\n")[0])
    verbs = top.add_subparsers(dest="verb", required=True)
    by = argparse.ArgumentParser(add_help=False)
    by.add_argument("--by", default=f"cli:{getpass.getuser()}", help="who acts (for the audit)")
    verbs.add_parser("purge", parents=[by], help="purge what is older than the retention periods")
    erase = verbs.add_parser("erase", parents=[by], help="erase one client's conversation")
    erase.add_argument("channel", nargs="?", choices=CHANNELS)
    erase.add_argument("client_id", nargs="?")
    erase.add_argument("--case", type=int, help="erase the client of this case")
    export = verbs.add_parser("export", parents=[by], help="one client's data as JSON")
    export.add_argument("channel", choices=CHANNELS)
    export.add_argument("client_id")
    verbs.add_parser("audit", help="the last purges, erasures and exports")
    return top


async def run(args: argparse.Namespace, settings: Settings, out: Any = sys.stdout) -> int:
    db = Database(settings.database_url.reveal())
    await db.open()
    url = settings.tracker_store_url.reveal()
    engine = engine_for(url) if url else None
    try:
        async with aiohttp.ClientSession() as session:
            eraser = RasaEraser(
                session, settings.rasa_urls, settings.rasa_token.reveal(), settings.rasa_timeout
            )
            privacy = Privacy(
                db, eraser, engine, settings.retention_days, settings.case_retention_days
            )
            return await _verb(args, settings, db, privacy, out)
    finally:
        await db.close()
        if engine is not None:
            engine.dispose()


async def _verb(
    args: argparse.Namespace, settings: Settings, db: Database, privacy: Privacy, out: Any
) -> int:
    if args.verb == "purge":
        await privacy.resume()
        counts = await privacy.purge(args.by)
        print(json.dumps({"purged": counts}), file=out)
        return 0
    if args.verb == "audit":
        for entry in await db.run(recent):
            print(json.dumps(entry.__dict__), file=out)
        return 0
    if args.verb == "erase" and args.case is not None:
        if args.channel or args.client_id:
            raise ValueError("give either --case N or CHANNEL CLIENT_ID, not both")
        result = await privacy.erase_case(args.case, args.by)
    else:
        if not args.channel or not args.client_id:
            raise ValueError("give CHANNEL CLIENT_ID, or --case N")
        hasher = await load_hasher(db, settings.sender_hash_salt.reveal())
        cid = hasher(args.channel, client_id(args.channel, args.client_id))
        if args.verb == "export":
            data = await privacy.export(cid, args.by)
            print(json.dumps(data, ensure_ascii=False, indent=2), file=out)
            return 0
        result = await privacy.erase(cid, args.by)
    print(result.describe(), file=out)
    return {"done": 0, "nothing": 1, "pending": 3}[result.status]


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    try:
        settings = load_settings()
    except GatewayError as exc:
        print(f"bot.privacy: {exc}", file=sys.stderr)
        return 2
    try:
        return asyncio.run(run(args, settings))
    except (ValueError, PrivacyError) as exc:
        print(f"bot.privacy: {exc}", file=sys.stderr)
        return 1
    except GatewayError as exc:
        print(f"bot.privacy: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
