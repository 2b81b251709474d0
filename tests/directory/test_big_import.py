"""A 200 MB file is streamed, not read whole: the bad row near its end is named by line, the
import's memory stays small, and the directory is untouched."""

from __future__ import annotations

import os
import subprocess
import sys
import uuid
from pathlib import Path

import pytest

from actions.directory import build
from tests.directory.conftest import EXAMPLES, ROOT, snapshot

SIZE = 200 * 1024 * 1024
# The import's own peak: VmHWM belongs to the process's memory map, which starts afresh at exec.
# (ru_maxrss does not: Linux carries it over from the forking parent, here pytest, which holds
# hundreds of MB by the end of a full run.)
MEASURE = (
    "import re, sys\n"
    "from actions.directory.__main__ import main\n"
    "code = main(sys.argv[1:])\n"
    "status = open('/proc/self/status').read()\n"
    "print('maxrss_kb', re.search(r'VmHWM:\\s+(\\d+)', status).group(1), file=sys.stderr)\n"
    "raise SystemExit(code)\n"
)


def _write_big_languages(folder: Path) -> int:
    """languages.csv of SIZE bytes, one bad row (a malformed id) near the end; its line."""
    note = "Interpreters on site; " * 90  # ~2 KB a row
    lines = 0
    bad_line = 0
    with (folder / "languages.csv").open("w", encoding="utf-8") as out:
        out.write("id,service_id,location_id,phone_id,name,code,note\n")
        written, lines = 0, 1
        while written < SIZE:
            lines += 1
            row_id = str(uuid.UUID(int=lines))
            if bad_line == 0 and written > SIZE - 4096 * 1024:
                row_id, bad_line = "not-a-uuid", lines
            row = f"{row_id},,,,Urdu,ur,{note}\n"
            out.write(row)
            written += len(row)
    return bad_line


@pytest.mark.slow
def test_a_200_mb_file_is_streamed_and_its_bad_row_named(tmp_path: Path) -> None:
    database = tmp_path / "directory.db"
    build.import_paths(database, [EXAMPLES / "service_list.json"])
    before = snapshot(database)
    folder = tmp_path / "big"
    folder.mkdir()
    bad_line = _write_big_languages(folder)
    assert (folder / "languages.csv").stat().st_size >= SIZE
    result = subprocess.run(
        [sys.executable, "-c", MEASURE, "import", str(folder)],
        cwd=ROOT, env={**os.environ, "DIRECTORY_DB": str(database)},
        capture_output=True, text=True, timeout=900, check=False,
    )  # fmt: skip
    assert result.returncode == 1, result.stderr[-2000:]
    assert f"languages.csv:{bad_line}: error: 'id': 'not-a-uuid' is not a 'uuid'" in result.stderr
    assert "import rejected: 1 error(s); the directory is unchanged" in result.stderr
    peak_mb = int(result.stderr.split("maxrss_kb")[1].split()[0]) / 1024
    print(f"peak memory {peak_mb:.0f} MB for a {SIZE >> 20} MB file")
    assert peak_mb < 200, f"the import held {peak_mb:.0f} MB: the file was not streamed"
    assert snapshot(database) == before
