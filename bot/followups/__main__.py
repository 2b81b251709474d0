"""``python -m bot.followups list|due|cancel ID``: the follow-ups, for operators.

- ``list [--all]``: the follow-ups not over yet (scheduled, or asked and waiting for an
  answer), or every one kept with ``--all``; one line each: id, state, kind, channel, need,
  town, when it is due or was sent, and the short id of the conversation (never the client's
  number or words);
- ``due``: those due now that the gateway has not sent yet (a backlog, or the gateway is down);
- ``cancel ID``: cancel one; recorded in the admins' audit log (``--by``, default ``cli:`` and
  the user) with the follow-up's id, never the client's words.

Reads the gateway store named by the gateway's settings (``GATEWAY_DATABASE_URL``, else
``var/gateway.db``); times in the region's zone.
"""

from __future__ import annotations

import argparse
import asyncio
import getpass
import sys
import time
from datetime import datetime

from bot.db import Connection, Database, audit
from bot.db import followups as store
from bot.errors import GatewayError
from bot.privacy import short
from bot.settings import load_settings
from region import RegionError, load_region


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bot.followups", description=__doc__)
    verbs = parser.add_subparsers(dest="verb", required=True)
    listing = verbs.add_parser("list", help="follow-ups not over yet (--all: every one)")
    listing.add_argument("--all", action="store_true")
    verbs.add_parser("due", help="follow-ups due now and not sent")
    cancel = verbs.add_parser("cancel", help="cancel one follow-up")
    cancel.add_argument("id", type=int)
    cancel.add_argument("--by", default=f"cli:{getpass.getuser()}", help="who (for the audit)")
    args = parser.parse_args(argv)
    try:
        settings = load_settings()
        zone = load_region(settings.region_file).tz
        return asyncio.run(_run(settings.database_url.reveal(), args, zone))
    except (GatewayError, RegionError) as exc:
        print(f"python -m bot.followups: {exc}", file=sys.stderr)
        return 1


async def _run(url: str, args: argparse.Namespace, zone: object) -> int:
    db = Database(url)
    await db.open()
    try:
        now = time.time()
        if args.verb == "cancel":
            found = await db.run(_cancel, args.id, args.by, now)
            if found is None:
                print(f"no follow-up {args.id} is waiting to be sent or answered", file=sys.stderr)
                return 1
            print(f"follow-up {args.id} cancelled ({found} was its state)")
            return 0
        if args.verb == "due":
            rows = [
                f for f in await db.run(store.listed, ("scheduled",), 10_000) if f.due_at <= now
            ]
        else:
            states = None if args.all else store.LIVE
            rows = await db.run(store.listed, states, 10_000)
        for followup in rows:
            print(_line(followup, zone))
        print(f"{len(rows)} follow-up{'s' if len(rows) != 1 else ''}")
        return 0
    finally:
        await db.close()


def _cancel(c: Connection, followup_id: int, actor: str, now: float) -> str | None:
    found = store.cancel(c, followup_id, f"by {actor}", now)
    if found is None:
        return None
    audit.write(c, now, actor, "followup_cancel", f"follow-up {followup_id}", found.kind)
    return found.state


def _line(followup: store.Followup, zone: object) -> str:
    when = followup.sent_at if followup.state in store.WAITING else followup.due_at
    stamp = datetime.fromtimestamp(when or 0, zone).strftime("%Y-%m-%d %H:%M")  # type: ignore[arg-type]
    place = followup.place or "-"
    return (
        f"{followup.id:>6}  {followup.state:<9} {followup.kind:<8} {followup.channel:<8} "
        f"{followup.need:<18} {place[:24]:<24} {stamp}  {short(followup.conversation_id)}"
        + (f"  {followup.outcome}" if followup.outcome else "")
    )


if __name__ == "__main__":
    sys.exit(main())
