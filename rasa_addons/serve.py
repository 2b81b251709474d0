"""Start the Rasa server: ``python -m rasa_addons.serve [rasa run options]``.

It runs ``rasa run`` in this process, with these differences (what Rasa lets a project add through
its configuration is added there: the tracker store, ``rasa_addons.tracker_store`` in
endpoints.yml; the erase route, ``rasa_addons.erase`` in credentials.yml):

- The HTTP API token is read from ``RASA_TOKEN`` and handed to Rasa as ``--auth-token=TOKEN``.
  Passed as two words, a token that begins with ``-`` (one in 64 of ``secrets.token_urlsafe``)
  is taken by argparse for an option and Rasa refuses to start; and a token on the command line
  is visible to every user of the machine in ``ps``. What ``ps`` shows is this launcher's own
  command line, which holds no secret.
- :func:`rasa_addons.validation.install` replaces the check of every action server answer
  with one that builds its JSON-schema validator once (see that module for why and how much).
- :func:`rasa_addons.loading.install` makes ``PUT /model`` (a promotion) load the new model in
  a worker thread, so Rasa goes on answering with the live one meanwhile.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Sequence

TOKEN_VARIABLE = "RASA_TOKEN"  # noqa: S105 (the name of the variable, not a token)


def rasa_argv(argv: Sequence[str], environ: dict[str, str] | os._Environ[str]) -> list[str]:
    """The ``rasa`` command line for ``argv``: ``run``, the options, and the token if any."""
    if any(arg == "--auth-token" or arg.startswith(("--auth-token=", "-t")) for arg in argv):
        raise SystemExit(
            f"rasa_addons.serve: give the token in {TOKEN_VARIABLE}, not on the command line"
        )
    token = environ.get(TOKEN_VARIABLE, "")
    return ["rasa", "run", *argv, *([f"--auth-token={token}"] if token else [])]


def main(argv: Sequence[str] | None = None) -> None:
    from rasa.__main__ import main as rasa_main

    from rasa_addons import loading, validation

    sys.argv = rasa_argv(sys.argv[1:] if argv is None else argv, os.environ)
    validation.install()
    loading.install()
    rasa_main()


if __name__ == "__main__":
    main()
