"""The README fits, and every link in it and in docs/ leads somewhere in the repository."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
OUTSIDE = "/".join(("shared", "DESIGN"))  # the brief docs/design.md came from
LINK = re.compile(r"\]\(([^)#\s]+)(?:#[^)]*)?\)")


def pages() -> list[Path]:
    return [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]


def test_the_readme_is_short():
    assert len((ROOT / "README.md").read_text(encoding="utf-8").splitlines()) <= 150


def test_every_link_leads_to_a_file_of_the_repository():
    for page in pages():
        for target in LINK.findall(page.read_text(encoding="utf-8")):
            if target.startswith(("http://", "https://", "mailto:")):
                continue
            path = (page.parent / target).resolve()
            assert path.exists(), f"{page.relative_to(ROOT)} links to {target}, which is missing"
            assert ROOT in path.parents, f"{page.relative_to(ROOT)} links outside: {target}"


def test_nothing_sends_the_reader_to_a_design_outside_the_repository():
    tracked = subprocess.run(
        ["git", "ls-files"], cwd=ROOT, capture_output=True, text=True, check=True
    ).stdout.split()
    for name in tracked:
        path = ROOT / name
        if (
            path.suffix not in {".py", ".md", ".yml", ".example", ".js", ".html"}
            or not path.is_file()
        ):
            continue
        assert OUTSIDE not in path.read_text(encoding="utf-8", errors="replace"), name
