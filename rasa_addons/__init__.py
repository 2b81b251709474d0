"""What this project adds to the Rasa server process (the only package here that imports rasa).

- :mod:`rasa_addons.serve`: the launcher that `make run`, the tests and the benchmarks start
  instead of `rasa run`: the API token comes from the environment, never the command line, and
  the action server's answers are checked with a validator built once.
"""
