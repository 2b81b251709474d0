"""Directory search latency and import rate (`make bench`, or run alone).

1. The shipped directory (actions/directory/data/hsds plus the region's lines): p50/p95 of a client's whole
   search (place, search, details of the page, rendering) over every need, many places and
   the three channels; and of the index query alone.
2. A generated directory of 100,000 services (HSDS CSV datapackage, ~800,000 rows, spread over
   the Bay Area): the import rate in rows per second, then the same search figures.
Each figure is the median over several rounds. Results: results/bench/directory_search.json.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import random
import sys
import tempfile
import time
from contextlib import closing
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from actions.context import region
from actions.directory import build, flags, hsds
from actions.directory.eligibility import profile_from
from actions.directory.search import Where, search
from actions.directory.service import find
from actions.texts import say
from bench.common import median_of_rounds, report, summary_ms

NEEDS = ["shelter", "food", "family_support", "domestic_violence", "mental_health",
         "health_care", "legal", "financial", "drug_alcohol", "essentials"]  # fmt: skip
PLACES = ["Redwood City", "94063", "San Mateo", "Daly City", "94080", "Half Moon Bay",
          "East Palo Alto", "Menlo Park", "geo:37.48000,-122.23000", "geo:37.70000,-122.46000",
          "San Bruno", "Pacifica", "94401", "Belmont", "Foster City"]  # fmt: skip
CHANNELS = ["sms", "telegram", "webchat"]
POPULATIONS: list[list[str] | None] = [None, ["17"], ["woman"], ["family"], ["senior"]]
NOW = dt.datetime(2026, 11, 23, 21, 30, tzinfo=dt.timezone.utc)
# Open Eligibility codes the generated services carry (one per need of actions/directory/data/needs.yml).
TERMS = [
    "101-04",
    "102",
    "108-01",
    "101-06",
    "101-07",
    "106-06",
    "111",
    "107-02",
    "106-01",
    "104-02",
]


def queries(count: int, seed: int) -> list[tuple[str, str, list[str] | None, str]]:
    rng = random.Random(seed)
    return [
        (rng.choice(NEEDS), rng.choice(PLACES), rng.choice(POPULATIONS), rng.choice(CHANNELS))
        for _ in range(count)
    ]


def time_finds(db: Path, count: int, seed: int) -> dict[str, float]:
    samples = []
    for need, place, population, channel in queries(count, seed):
        start = time.perf_counter()
        find(db, need, place, population, channel, 0, NOW, region(), say)
        samples.append(time.perf_counter() - start)
    return summary_ms(samples)


def time_index(db: Path, count: int, seed: int) -> dict[str, float]:
    from actions.gazetteer import gazetteer_for

    gazetteer = gazetteer_for(region())
    samples = []
    with closing(build.open_directory(db)) as conn:
        for need, place, population, _ in queries(count, seed):
            found = gazetteer.locate(place)
            assert found is not None, place
            where = Where(found.latitude, found.longitude, (found.name, found.county or ""))
            start = time.perf_counter()
            search(conn, need, where, profile_from(population))
            samples.append(time.perf_counter() - start)
    return summary_ms(samples)


def measure(db: Path, rounds: int, count: int) -> dict[str, Any]:
    find(
        db, "shelter", "Redwood City", None, "sms", 0, NOW, region(), say
    )  # warm: gazetteer, holidays
    return {
        "search_and_render": median_of_rounds(
            [time_finds(db, count, seed) for seed in range(rounds)]
        ),
        "index_query_only": median_of_rounds(
            [time_index(db, count, seed) for seed in range(rounds)]
        ),
    }


def generate(folder: Path, services: int, seed: int = 7) -> int:
    """An HSDS datapackage of ``services`` services; returns the number of rows written."""
    rng = random.Random(seed)
    folder.mkdir(parents=True, exist_ok=True)
    writers: dict[str, Any] = {}
    files = []
    rows = 0

    def write(name: str, row: dict[str, Any]) -> None:
        nonlocal rows
        table = hsds.tables()[name]
        if name not in writers:
            stream = (folder / table.path).open("w", encoding="utf-8", newline="")
            files.append(stream)
            writers[name] = csv.DictWriter(stream, fieldnames=table.columns)
            writers[name].writeheader()
        writers[name].writerow(row)
        rows += 1

    taxonomy = flags.stable_id("bench", "taxonomy")
    write("taxonomy", {"id": taxonomy, "name": "Open Eligibility", "description": "bench"})
    for code in TERMS:
        write("taxonomy_term", {"id": flags.stable_id("bench", "term", code), "code": code, "name": code,
                                "description": code, "taxonomy_id": taxonomy})  # fmt: skip
    for extra in flags.taxonomy_rows()["taxonomy_term"]:
        write("taxonomy_term", extra)
    write("taxonomy", flags.taxonomy_rows()["taxonomy"][0])
    organizations = max(1, services // 10)
    for o in range(organizations):
        write(
            "organization",
            {
                "id": flags.stable_id("bench", "org", o),
                "name": f"Agency {o}",
                "description": "A generated agency.",
            },
        )
    for s in range(services):
        sid, loc = flags.stable_id("bench", "service", s), flags.stable_id("bench", "location", s)
        org = flags.stable_id("bench", "org", s % organizations)
        low = rng.choice([None, None, None, 18, 60])
        write("service", {"id": sid, "organization_id": org, "name": f"Service {s}", "status": "active",
                          "description": "A generated service for the benchmark.", "minimum_age": low,
                          "maximum_age": rng.choice([None, None, None, 24]) if low is None else None})  # fmt: skip
        write("location", {"id": loc, "organization_id": org, "name": f"Place {s}", "location_type": "physical",
                           "latitude": round(rng.uniform(37.0, 38.3), 6), "longitude": round(rng.uniform(-122.6, -121.5), 6)})  # fmt: skip
        write(
            "service_at_location",
            {"id": flags.stable_id("bench", "sal", s), "service_id": sid, "location_id": loc},
        )
        write("address", {"id": flags.stable_id("bench", "address", s), "location_id": loc, "address_1": f"{s} Main St",
                          "city": "Somewhere", "state_province": "CA", "postal_code": "94000", "country": "US",
                          "address_type": "physical"})  # fmt: skip
        write(
            "phone",
            {
                "id": flags.stable_id("bench", "phone", s),
                "service_id": sid,
                "number": f"650-555-{s % 10000:04d}",
            },
        )
        night = rng.random() < 0.3
        write("schedule", {"id": flags.stable_id("bench", "schedule", s), "service_id": sid, "freq": "WEEKLY",
                           "byday": "MO,TU,WE,TH,FR,SA,SU" if night else "MO,TU,WE,TH,FR",
                           "opens_at": "19:00" if night else "09:00", "closes_at": "08:00" if night else "17:00"})  # fmt: skip
        code = TERMS[s % len(TERMS)]
        write("attribute", {"id": flags.stable_id("bench", "attribute", s), "link_id": sid, "link_entity": "service",
                            "taxonomy_term_id": flags.stable_id("bench", "term", code)})  # fmt: skip
        if rng.random() < 0.1:
            write(
                "attribute",
                flags.attribute("service", sid, rng.choice(["women-only", "men-only", "no-pets"])),
            )
    for stream in files:
        stream.close()
    return rows


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--services", type=int, default=100_000)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--queries", type=int, default=300, help="searches per round")
    args = parser.parse_args()
    figures: dict[str, Any] = {}
    with tempfile.TemporaryDirectory() as tmp:
        shipped = Path(tmp) / "shipped.db"
        build.build(shipped)
        figures["shipped"] = measure(shipped, args.rounds, args.queries)
        package = Path(tmp) / "generated"
        rows = generate(package, args.services)
        generated = Path(tmp) / "generated.db"
        start = time.perf_counter()
        summary = build.import_paths(generated, [package], replace=True)
        seconds = time.perf_counter() - start
        figures["generated"] = {
            "services": args.services,
            "rows": rows,
            "import_seconds": round(seconds, 1),
            "import_rows_per_second": round(rows / seconds),
            "imported_rows": summary.rows,
            **measure(generated, args.rounds, args.queries),
        }
    report("directory_search", figures)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
