"""The admin's command line, run as an admin runs it: python -m actions.directory ..."""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
import sys
from contextlib import closing
from pathlib import Path

import pytest

from actions.directory import hsds, lines
from actions.directory.errors import NeedsMapError
from actions.directory.needs import load_needs
from actions.directory.records import check_row
from region import load_region
from tests.directory.conftest import EXAMPLES, ROOT

# Run first in every child below: importing anything of Rasa fails, as on a machine that has
# only the directory's requirements. The directory knows nothing of Rasa (actions/directory).
WITHOUT_RASA = """
import importlib.abc, sys

class NoRasa(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path=None, target=None):
        if name.partition(".")[0] in ("rasa", "rasa_sdk"):
            raise ImportError(f"{name} is not installed here")
        return None

sys.meta_path.insert(0, NoRasa())
"""


def python_without_rasa(
    code: str, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", WITHOUT_RASA + code],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip


def cli(database: Path, *args: str, needs: Path | None = None) -> subprocess.CompletedProcess[str]:
    """``python -m actions.directory ARGS``, with Rasa's packages unavailable."""
    env = {**os.environ, "DIRECTORY_DB": str(database)}
    if needs:
        env["DIRECTORY_NEEDS"] = str(needs)
    run = f"import runpy; sys.argv = ['actions.directory', *{list(args)!r}]; "
    return python_without_rasa(
        run + "runpy.run_module('actions.directory', run_name='__main__')", env
    )


def test_every_directory_module_imports_without_rasa() -> None:
    result = python_without_rasa(
        "import pkgutil, actions.directory as d\n"
        "names = [m.name for m in pkgutil.walk_packages(d.__path__, 'actions.directory.')]\n"
        "for name in names: __import__(name)\n"
        "print(len(names))\n"
    )
    assert result.returncode == 0, result.stderr
    assert int(result.stdout) >= 20  # every module, __main__ and service included


def test_ensure_builds_once_then_leaves_the_directory_alone(tmp_path: Path) -> None:
    database = tmp_path / "var" / "directory.db"
    first = cli(database, "ensure")
    assert first.returncode == 0, first.stderr
    assert first.stdout.startswith(f"built the directory at {database}")
    again = cli(database, "ensure")
    assert again.stdout.strip() == f"the directory at {database} is ready"


def test_ensure_reindexes_when_the_needs_map_changes(tmp_path: Path) -> None:
    database = tmp_path / "directory.db"
    needs = tmp_path / "needs.yml"
    shutil.copy(ROOT / "actions" / "directory" / "data" / "needs.yml", needs)
    assert cli(database, "ensure", needs=needs).returncode == 0
    search = cli(
        database, "search", "food", "Redwood City", "--at", "2026-11-23T12:00", needs=needs
    )
    assert "Near Redwood City" in search.stdout
    needs.write_text(
        needs.read_text().replace("food:\n", "food_old:\n")
        + "food:\n  keywords: [nothing-matches-this]\n"
    )
    changed = cli(database, "ensure", needs=needs)
    assert changed.stdout.startswith("the needs map changed: reindexed")
    nothing = cli(database, "search", "food", "Redwood City", needs=needs)
    assert nothing.stdout.startswith("I found nothing for that within 50 miles of Redwood City")


def test_a_search_for_a_need_the_map_does_not_name_lists_the_needs(tmp_path: Path) -> None:
    database = tmp_path / "directory.db"
    assert cli(database, "build").returncode == 0
    unknown = cli(database, "search", "family", "Redwood City")
    assert unknown.returncode == 2
    assert unknown.stdout == ""
    assert unknown.stderr.strip() == (
        "error: unknown need 'family'; the needs are: shelter, food, family_support, "
        "domestic_violence, mental_health, health_care, legal, financial, drug_alcohol, essentials"
    )


def test_import_prints_what_it_imported_and_a_bad_file_exits_1_with_file_and_line(
    tmp_path: Path,
) -> None:
    database = tmp_path / "directory.db"
    ok = cli(database, "import", str(EXAMPLES / "csv"), str(EXAMPLES / "service_list.json"))
    assert ok.returncode == 0, ok.stderr
    assert "  services: 1 new, 0 updated" in ok.stdout
    assert "rows/s" in ok.stdout
    bad = tmp_path / "services.csv"
    bad.write_text(
        "id,organization_id,name,status\nnot-a-uuid,d9d5e0f5-d3ce-4f73-9a2f-4dd0ecc6c610,x,active\n"
    )
    with closing(sqlite3.connect(database)) as conn:
        before = conn.execute("SELECT id, name FROM services").fetchall()
    failed = cli(database, "import", str(bad))
    assert failed.returncode == 1
    assert "services.csv:2: error: 'id': 'not-a-uuid' is not a 'uuid'" in failed.stderr
    assert "the directory is unchanged" in failed.stderr
    with closing(sqlite3.connect(database)) as conn:
        assert conn.execute("SELECT id, name FROM services").fetchall() == before


def test_build_replaces_everything_and_a_missing_path_is_a_clear_error(tmp_path: Path) -> None:
    database = tmp_path / "directory.db"
    assert cli(database, "import", str(EXAMPLES / "service_full.json")).returncode == 0
    built = cli(database, "build")
    assert built.returncode == 0
    assert "read the 24/7 lines of San Mateo County" in built.stdout
    with closing(sqlite3.connect(database)) as conn:
        assert not conn.execute(
            "SELECT 1 FROM services WHERE name = 'Community Counselling'"
        ).fetchone()
    missing = cli(database, "import", str(tmp_path / "nowhere"))
    assert missing.returncode == 1
    assert "no such file or folder" in missing.stderr


def test_the_region_lines_are_valid_hsds_services_with_their_numbers() -> None:
    rows = lines.line_rows(load_region())
    for name, table_rows in rows.items():
        for row in table_rows:
            assert check_row(hsds.tables()[name], row) == [], (name, row)
    services = {s["name"] for s in rows["service"]}
    assert services == {"Emergency services (911)", "988 Suicide & Crisis Lifeline", "National Domestic Violence Hotline",
                        "Crisis Text Line", "211 San Mateo County"}  # fmt: skip
    numbers = {p["number"] for p in rows["phone"]}
    assert {"911", "988", "1-800-799-7233", "741741", "211", "898211"} <= numbers
    assert all(s["opens_at"] == s["closes_at"] == "00:00" for s in rows["schedule"])  # 24/7


@pytest.mark.parametrize(
    ("content", "message"),
    [("", "must map each need"), ("shelter: [beds]", "only 'terms' and 'keywords'"),
     ("shelter:\n  terms: []\n", "neither terms nor keywords"), ("shelter:\n  terms: beds\n", "must be a list"),
     ("shelter: {keywords: [a]\n", "not valid YAML")],
)  # fmt: skip
def test_a_broken_needs_map_is_refused_with_the_reason(
    tmp_path: Path, content: str, message: str
) -> None:
    path = tmp_path / "needs.yml"
    path.write_text(content)
    with pytest.raises(NeedsMapError, match=message):
        load_needs(path)


def test_a_file_that_is_not_a_directory_database_is_a_clear_error(tmp_path: Path) -> None:
    database = tmp_path / "directory.db"
    database.write_text("not a database")
    result = cli(database, "build")
    assert result.returncode == 1
    assert "cannot be used" in result.stderr
    assert "Traceback" not in result.stderr
