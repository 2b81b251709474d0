"""What `make run` shows of each process: its own lines, not its dependencies' warnings."""

from __future__ import annotations

from scripts.stack import WarningFilter

# As Rasa and the action server print them at start-up (a one-line, a two-line and a
# three-line warning, one of them coloured by Rasa), with the lines that matter between.
OUTPUT = [
    "/x/site-packages/sanic_cors/extension.py:39: DeprecationWarning: distutils Version classes",
    "  SANIC_VERSION = LooseVersion(sanic_version)",
    "2026-12-05 07:04:55 INFO     root  - Starting Rasa server on http://127.0.0.1:5005",
    "/x/site-packages/pkg_resources/__init__.py:3117: DeprecationWarning: Deprecated call to",
    "Implementing implicit namespace packages (as specified in PEP 420) is preferred to ...",
    "  declare_namespace(pkg)",
    "\x1b[93m/x/site-packages/rasa/shared/utils/io.py:100: UserWarning: You have an overlap",
    "  More info at https://rasa.com/docs/rasa/components#regexentityextractor",
    "\x1b[0m2026-12-05 07:04:48 INFO     rasa.core.processor  - Loading model",
    "Traceback (most recent call last):",
    '  File "/x/rasa/server.py", line 1, in run',
    "ValueError: the model is broken",
]


def test_warnings_are_left_out_and_everything_else_is_kept():
    kept_filter = WarningFilter()
    shown = [line for line in OUTPUT if kept_filter.keep(line)]
    assert shown == [
        "2026-12-05 07:04:55 INFO     root  - Starting Rasa server on http://127.0.0.1:5005",
        "\x1b[0m2026-12-05 07:04:48 INFO     rasa.core.processor  - Loading model",
        "Traceback (most recent call last):",
        '  File "/x/rasa/server.py", line 1, in run',
        "ValueError: the model is broken",
    ]
