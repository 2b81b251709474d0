"""What this project adds to the Rasa server process (the only package here that imports rasa).

- :mod:`rasa_addons.serve`: the launcher that `make run`, the tests and the benchmarks start
  instead of `rasa run`: the API token comes from the environment, never the command line, and
  the action server's answers are checked with a validator built once (:mod:`.validation`);
  Rasa's SQLite tracker store keeps its connections (:mod:`.sqlite`); a conversation can be
  erased under its lock (:mod:`.erase`, ``DELETE /conversations/<id>/tracker``).
- NLU components of ``config.yml``: :mod:`.answers` (a plain yes or no is ``affirm`` or
  ``deny``) and :mod:`.triage` (how certain a risk signal is, with the needs of
  :mod:`.needs`).
"""
