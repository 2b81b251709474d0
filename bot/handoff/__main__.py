"""``python -m bot.handoff add-staff NAME [--password]``: a staff console account.

Prints the entry to add to ``STAFF_CONSOLE_USERS`` (the name and a scrypt hash, nothing that
signs anyone in). Without ``--password`` a random token is made and printed once, to hand to the
member of staff; with it, the password is asked for twice and never shown.
"""

from __future__ import annotations

import argparse
import getpass
import secrets
import sys

from bot.handoff.settings import accounts
from bot.web.auth import hash_password


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bot.handoff", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    add = commands.add_parser("add-staff", help="make a console account entry")
    add.add_argument("name", help="1 to 32 letters, digits, '.', '_' or '-'")
    add.add_argument("--password", action="store_true", help="ask for a password instead")
    args = parser.parse_args(argv)
    if args.password:
        password = getpass.getpass("Password (12 characters or more): ")
        if len(password) < 12:
            print("too short: use 12 characters or more", file=sys.stderr)
            return 2
        if getpass.getpass("The same again: ") != password:
            print("the two passwords differ", file=sys.stderr)
            return 2
    else:
        password = secrets.token_urlsafe(24)
        print(f"Token for {args.name} (give it to them; it is not shown again): {password}")
    entry = f"{args.name}:{hash_password(password)}"
    try:
        accounts(entry)
    except ValueError as exc:
        print(f"cannot make the entry: {exc}", file=sys.stderr)
        return 2
    print("Add to STAFF_CONSOLE_USERS (entries separated by spaces):")
    print(entry)
    return 0


if __name__ == "__main__":
    sys.exit(main())
