"""The admin's command line: ``python -m actions.directory COMMAND``.

  build               rebuild from the shipped data (actions/directory/data/hsds) and the region's 24/7 lines
  ensure              build only if there is none (``make run``); reindex if needs.yml changed
  import PATH...      add or update services from HSDS 3.0 files: a datapackage folder (CSV and
                      datapackage.json), one CSV table, or JSON (service_full.json, ...)
      --replace       replace the whole directory with these files (and the region's lines)
  reindex             rebuild the search index after editing actions/directory/data/needs.yml
  convert [SHARED]    regenerate actions/directory/data/hsds from the Ohana San Mateo and Link-SF data
  search NEED PLACE   try a search as a client sees it (--population 17 --channel sms --at TIME);
                      a need the needs map does not name exits 2 and lists the needs

The database is ``$DIRECTORY_DB`` (default var/directory.db). An import is all or nothing: on
any error it lists every bad row (file:line: reason) and leaves the directory as it was.
"""

from __future__ import annotations

import argparse
import datetime as dt
import sqlite3
import sys
from pathlib import Path

from actions.directory import build as ops
from actions.directory.db import db_path
from actions.directory.errors import DirectoryError, ImportRejected
from actions.directory.needs import load_needs


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m actions.directory",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("build")
    sub.add_parser("ensure")
    imp = sub.add_parser("import")
    imp.add_argument("paths", nargs="+", type=Path)
    imp.add_argument("--replace", action="store_true")
    sub.add_parser("reindex")
    conv = sub.add_parser("convert")
    conv.add_argument("shared", nargs="?", type=Path, default=Path("../shared/data"))
    conv.add_argument("--out", type=Path, default=ops.SHIPPED)
    find = sub.add_parser("search")
    find.add_argument("need")
    find.add_argument("place")
    find.add_argument("--population", action="append", default=[])
    find.add_argument("--channel", default="webchat", choices=["sms", "telegram", "webchat"])
    find.add_argument("--at", type=dt.datetime.fromisoformat, default=None)
    find.add_argument("--page", type=int, default=0)
    args = parser.parse_args(argv)
    path = db_path()
    try:
        return _run(args, path)
    except ImportRejected as exc:
        for problem in exc.problems:
            print(problem, file=sys.stderr)
        if exc.more:
            print(f"... and {exc.more} more error(s)", file=sys.stderr)
        print(str(exc), file=sys.stderr)
        return 1
    except DirectoryError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    except sqlite3.Error as exc:
        print(f"error: the directory database {path} cannot be used ({exc}); "
              "move it aside and run `python -m actions.directory build`", file=sys.stderr)  # fmt: skip
        return 1


def _run(args: argparse.Namespace, path: Path) -> int:
    if args.command == "build":
        _print(ops.build(path).lines())
    elif args.command == "ensure":
        print(ops.ensure(path))
    elif args.command == "import":
        _print(ops.import_paths(path, args.paths, replace=args.replace).lines())
    elif args.command == "reindex":
        print(f"reindexed {ops.reindex(path)} places")
    elif args.command == "convert":
        from actions.directory.convert import convert_shipped

        for line in convert_shipped(args.shared, args.out):
            print(line)
    elif args.command == "search":
        from actions.context import region
        from actions.directory.service import find
        from actions.texts import say

        known = load_needs().names
        if args.need not in known:
            print(f"error: unknown need {args.need!r}; the needs are: {', '.join(known)}",
                  file=sys.stderr)  # fmt: skip
            return 2
        now = args.at or dt.datetime.now(dt.timezone.utc)
        if now.tzinfo is None:
            now = now.replace(tzinfo=region().tz)
        reply = find(path, args.need, args.place, args.population, args.channel, args.page, now,
                     region(), say)  # fmt: skip
        print(reply.text)
    return 0


def _print(lines: list[str]) -> None:
    for line in lines:
        print(line)


if __name__ == "__main__":
    raise SystemExit(main())
