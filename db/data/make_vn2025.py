"""Writes `vn2025.json`, Viet Nam's administrative units since 1 July 2025 and the
conversion of the 2021 units to them, from the files of `vietnam-provinces` 2026.9.0.

That release needs Python ≥ 3.12 while f0care supports 3.11, so f0care does not install
it: this script reads an unpacked copy of its wheel once, and f0care ships the result
(GPL-3.0-or-later, as the package is; see the README). To regenerate:

    pip download vietnam-provinces==2026.9.0 --no-deps --python-version 3.12 \\
        --only-binary=:all: -d /tmp/vp && unzip -q -d /tmp/vp /tmp/vp/*.whl
    python -m db.data.make_vn2025 /tmp/vp/vietnam_provinces
"""

from __future__ import annotations

import json
import runpy
import sys
from pathlib import Path
from typing import Any

OUT = Path(__file__).with_name("vn2025.json")


def build(package: Path) -> dict[str, Any]:
    """The edition's units and the conversion tables, from the package's files."""
    provinces = json.loads((package / "data" / "nested-divisions.json").read_text("utf-8"))
    wards = runpy.run_path(str(package / "_ward_conversion_2025.py"))["OLD_TO_NEW"]
    regions = runpy.run_path(str(package / "_province_conversion_2025.py"))["OLD_TO_NEW"]
    return {
        "edition": "VN_2025",
        "effective": "2025-07-01",
        "source": "vietnam-provinces 2026.9.0 (Nguyễn Hồng Quân, GPL-3.0-or-later): the "
        "General Statistics Office's list of 2026-09-20 and its conversion table",
        "provinces": [
            [f"{p['code']:02d}", p["name"], p["division_type"], p["codename"]]
            for p in sorted(provinces, key=lambda p: p["code"])
        ],
        "communes": [
            [f"{w['code']:05d}", w["name"], w["division_type"], w["codename"], f"{p['code']:02d}"]
            for p in provinces
            for w in sorted(p["wards"], key=lambda w: w["code"])
        ],
        # old province → its successors (a province joins one new province whole)
        "provinceSuccessors": {
            f"{old:02d}": [f"{n.code:02d}" for n in entry.new_provinces]
            for old, entry in sorted(regions.items())
        },
        # old commune → [successors, split]: split when parts of it went to other units
        "communeSuccessors": {
            f"{old:05d}": [
                [f"{n.code:05d}" for n in entry.new_wards],
                bool(entry.old_ward.is_partly_merged),
            ]
            for old, entry in sorted(wards.items())
        },
    }


def main() -> None:
    """Write the data file from the package directory given as the first argument."""
    data = build(Path(sys.argv[1]))
    OUT.write_text(json.dumps(data, ensure_ascii=False, separators=(",", ":")) + "\n", "utf-8")
    counts = f"{len(data['provinces'])} provinces, {len(data['communes'])} communes"
    sys.stdout.write(f"{OUT}: {counts}\n")


if __name__ == "__main__":
    main()
