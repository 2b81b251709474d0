"""What can go wrong in the directory, as one hierarchy.

DirectoryError                 anything the directory refuses or cannot do
├── SourceError                an input file cannot be read at all (missing, not CSV or JSON)
├── ImportRejected             an import found bad rows; it carries every Problem, nothing changed
├── ConversionError            a converter met data it cannot convert faithfully
├── NeedsMapError              actions/directory/data/needs.yml is missing or malformed
└── DirectoryUnavailable       the database is missing or unreadable when searching
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Problem:
    """One bad row or field: where (file and line) and why. ``fatal`` False is a warning."""

    file: str
    line: int | None
    reason: str
    fatal: bool = True

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}" if self.line else self.file
        kind = "error" if self.fatal else "warning"
        return f"{where}: {kind}: {self.reason}"


class DirectoryError(Exception):
    """Base class of the directory's errors."""


class SourceError(DirectoryError):
    """An input cannot be read at all."""


class ImportRejected(DirectoryError):
    """The import found errors; the directory was left as it was."""

    def __init__(self, problems: list[Problem], more: int = 0) -> None:
        self.problems = problems
        self.more = more
        errors = sum(1 for p in problems if p.fatal) + more
        super().__init__(f"import rejected: {errors} error(s); the directory is unchanged")


class ConversionError(DirectoryError):
    """A converter cannot convert its input faithfully."""


class NeedsMapError(DirectoryError):
    """The needs map (actions/directory/data/needs.yml) is missing or malformed."""


class DirectoryUnavailable(DirectoryError):
    """The directory database is missing or unreadable."""
