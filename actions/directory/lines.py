"""The region's 24/7 lines (and the emergency number) as HSDS services with no location.

Generated from the region file whenever the directory is built, so no number is written in
Python and a change of region changes the directory. Each line is a service of one
organization, with its phone and text numbers, a 24/7 schedule, the region as its service
area, and the ``always-open`` flag; ``line_service_id(line_id)`` finds it again.
"""

from __future__ import annotations

from typing import Any

from actions.directory import flags
from region import Region

EVERY_DAY = "MO,TU,WE,TH,FR,SA,SU"
EMERGENCY_LINE_ID = "emergency"


def line_service_id(line_id: str) -> str:
    return flags.stable_id("region-line", line_id)


def line_rows(region: Region) -> dict[str, list[dict[str, Any]]]:
    """HSDS rows, by table resource name, for every 24/7 line of the region."""
    org_id = flags.stable_id("region-lines", region.name)
    rows: dict[str, list[dict[str, Any]]] = {
        "organization": [
            {
                "id": org_id,
                "name": f"24/7 lines for {region.name}",
                "description": f"Phone and text lines that answer day and night in {region.name}.",
            }
        ]
    }
    for key, value in flags.taxonomy_rows().items():
        rows.setdefault(key, []).extend(value)
    lines: list[
        tuple[str, str, str | None, str | None, str | None, str | None, tuple[str, ...]]
    ] = [
        (
            EMERGENCY_LINE_ID,
            f"Emergency services ({region.emergency_number})",
            region.emergency_number,
            None,
            None,
            None,
            ("danger",),
        ),
    ]
    lines += [
        (c.id, c.name, c.phone, c.sms, c.sms_keyword, c.url, c.topics) for c in region.crisis_lines
    ]
    for line_id, name, phone, sms, keyword, url, topics in lines:
        service_id = line_service_id(line_id)
        how = " or ".join(p for p in (f"call {phone}" if phone else "", _text(sms, keyword)) if p)
        rows.setdefault("service", []).append(
            {
                "id": service_id,
                "organization_id": org_id,
                "name": name,
                "description": f"{how}, 24 hours a day. Serves: {', '.join(topics)}.",
                "url": url,
                "status": "active",
            }
        )
        texted = f"text {keyword} to {sms}" if sms and keyword else None
        for kind, number, description in (("voice", phone, None), ("sms", sms, texted)):
            if number:
                phone_row: dict[str, str | None] = {
                    "id": flags.stable_id("phone", line_id, kind),
                    "service_id": service_id,
                    "number": number,
                    "type": kind,
                }
                if kind == "sms":
                    phone_row["description"] = description
                rows.setdefault("phone", []).append(phone_row)
        rows.setdefault("schedule", []).append(
            {
                "id": flags.stable_id("schedule", line_id),
                "service_id": service_id,
                "freq": "WEEKLY",
                "byday": EVERY_DAY,
                "opens_at": "00:00",
                "closes_at": "00:00",
                "description": "24/7",
            }
        )
        rows.setdefault("service_area", []).append(
            {"id": flags.stable_id("area", line_id), "service_id": service_id, "name": region.name}
        )
        rows.setdefault("attribute", []).append(
            flags.attribute("service", service_id, "always-open")
        )
        for topic in topics:
            rows["attribute"].append(
                flags.attribute("service", service_id, "keyword", f"topic:{topic}")
            )
    return rows


def _text(sms: str | None, keyword: str | None) -> str:
    if not sms:
        return ""
    return f"text {keyword} to {sms}" if keyword else f"text {sms}"
