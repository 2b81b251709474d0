"""What this project adds to the Rasa server process (the only package here that imports rasa).

- :mod:`rasa_addons.serve`: the launcher that `make run`, the tests and the benchmarks start
  instead of `rasa run`: the API token comes from the environment, never the command line, and
  the action server's answers are checked with a validator built once (:mod:`.validation`);
  a promotion loads its model beside the live one (:mod:`.loading`).
- Named in Rasa's configuration: the tracker store (:mod:`.tracker_store`, endpoints.yml: a
  SQLite file in WAL mode, kept open, erased words overwritten) and the route that erases a
  conversation under its lock (:mod:`.erase`, a custom channel in credentials.yml).
- NLU components of ``config.yml``: :mod:`.answers` (a plain yes or no is ``affirm`` or
  ``deny``), :mod:`.risk` (the risk model), :mod:`.triage` (how certain a risk signal is, with
  the needs of :mod:`.needs`) and :mod:`.language` (the conversation's language into its slot);
  those that keep nothing trained are :class:`.component.Configured`.
"""
