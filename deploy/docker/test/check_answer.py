#!/usr/bin/env python3
"""Asks a running server the reference question, CNGGZ -> EETLL over January
2021, and compares the answer, exactly, with the table of the scenario "The
reference answer" in tests/features/rates.feature (the Xeneta 2021 data).

    check_answer.py http://127.0.0.1:3000
"""

from __future__ import annotations

import json
import pathlib
import re
import sys
import urllib.request

FEATURE = pathlib.Path(__file__).resolve().parents[3] / "tests/features/rates.feature"


def expected() -> tuple[str, list[dict]]:
    text = FEATURE.read_text()
    scenario = text.split("Scenario: The reference answer", 1)[1].split("Scenario", 1)[0]
    path = re.search(r'When I GET "([^"]+)"', scenario).group(1)
    rows = re.findall(r"^\s*\|\s*(\d{4}-\d\d-\d\d)\s*\|\s*(\d+)\s*\|\s*([\d.]+|null)\s*\|", scenario, re.M)
    if len(rows) != 31:
        raise SystemExit(f"{FEATURE}: expected 31 rows in the reference scenario, found {len(rows)}")
    return path, [
        {"day": d, "count": int(c), "price": None if p == "null" else float(p)} for d, c, p in rows
    ]


def main() -> int:
    path, want = expected()
    with urllib.request.urlopen(sys.argv[1].rstrip("/") + path, timeout=10) as response:
        got = json.load(response)["rates"]
    got = [{"day": r["day"], "count": r["count"], "price": r["price"]} for r in got]
    if got != want:
        for g, w in zip(got, want):
            if g != w:
                print(f"first difference: got {g}, expected {w}", file=sys.stderr)
                break
        print(f"{path}: {len(got)} rates differ from {FEATURE.name}", file=sys.stderr)
        return 1
    print(f"{path}: 31 days exact")
    return 0


if __name__ == "__main__":
    sys.exit(main())
