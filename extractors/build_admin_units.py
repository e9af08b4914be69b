"""Rebuild ``extractors/data/admin_units.json``, the gazetteer's table of Vietnam's administrative units.

The table is derived from the data files of PyPI ``vietnamadminunits`` (MIT, © Hieu Tran; see
``extractors/data/ADMIN_UNITS.md``). That package is only needed to *rebuild* the table, never at run time: it
depends on Unidecode (GPL-2.0-or-later), geopy and shapely, which a deployment should not have to carry.

    pip install "vietnamadminunits==1.0.4"
    python -m extractors.build_admin_units        # writes extractors/data/admin_units.json
"""

from __future__ import annotations

import importlib.metadata
import importlib.util
import json
from pathlib import Path

from pipeline.textnorm import fold

TABLE_PATH = Path(__file__).parent / "data" / "admin_units.json"

UnitRow = tuple[str, str, str]  # kind ("Quận"), name without the kind ("Đống Đa"), the package's key


def _package_data_dir() -> Path:
    spec = importlib.util.find_spec("vietnamadminunits")  # finds the package without running its code
    if spec is None or not spec.submodule_search_locations:
        raise SystemExit("rebuilding the table needs PyPI package vietnamadminunits (pip install vietnamadminunits)")
    return Path(next(iter(spec.submodule_search_locations))) / "data"


def _strip_kind(full: str, kind: str) -> str:
    if not (isinstance(full, str) and isinstance(kind, str)):
        return ""
    n = len(kind.split())
    words = full.split()
    return " ".join(words[n:]) if fold(" ".join(words[:n])) == fold(kind) and len(words) > n else full


class _Rows:
    """Rows in first-seen order, each once; rows without a name are dropped (a few in the package's tables)."""

    def __init__(self) -> None:
        self.rows: list[UnitRow] = []
        self._seen: set[UnitRow] = set()

    def add(self, kind: str, name: str, key: str) -> None:
        row = (kind, name, key)
        if isinstance(name, str) and isinstance(kind, str) and name and row not in self._seen:
            self._seen.add(row)
            self.rows.append(row)


def build(folder: Path) -> dict:
    """The table from the package's data folder: provinces of both eras, districts (before 2025-07-01) per
    province, wards per ``province/district`` (before) and per province (after)."""
    legacy = json.loads((folder / "parser_legacy.json").read_text(encoding="utf-8"))
    new = json.loads((folder / "parser_from_2025.json").read_text(encoding="utf-8"))
    provinces = _Rows()
    for table in (legacy["DICT_PROVINCE"], new["DICT_PROVINCE"]):
        for key, p in table.items():
            kind = p["province"].split(" ", 1)[0] if p["province"].startswith("Tỉnh") else "Thành phố"
            provinces.add(kind, p["provinceShort"], key)
    districts: dict[str, _Rows] = {}
    for pkey, table in legacy["DICT_PROVINCE_DISTRICT"].items():
        for dkey, d in table.items():
            districts.setdefault(pkey, _Rows()).add(d["districtType"], _strip_kind(d["district"], d["districtType"]),
                                                    dkey)
    wards: dict[str, _Rows] = {}
    for table_name in ("DICT_PROVINCE_DISTRICT_WARD_NO_ACCENTED", "DICT_PROVINCE_DISTRICT_WARD_ACCENTED",
                       "DICT_PROVINCE_DISTRICT_WARD_SHORT_ACCENTED"):
        for pkey, table in legacy[table_name].items():
            for dkey, units in table.items():
                for wkey, w in units.items():
                    wards.setdefault(f"{pkey}/{dkey}", _Rows()).add(
                        w["wardType"], _strip_kind(w["ward"], w["wardType"]), wkey)
    for table_name in ("DICT_PROVINCE_WARD_NO_ACCENTED", "DICT_PROVINCE_WARD_ACCENTED",
                       "DICT_PROVINCE_WARD_SHORT_ACCENTED"):
        for pkey, units in new[table_name].items():
            for wkey, w in units.items():
                wards.setdefault(pkey, _Rows()).add(w["wardType"], _strip_kind(w["ward"], w["wardType"]), wkey)
    version = importlib.metadata.version("vietnamadminunits")
    return {
        "source": f"derived from PyPI vietnamadminunits {version} (MIT, (c) Hieu Tran) by "
                  "extractors/build_admin_units.py",
        "provinces": provinces.rows,
        "districts": {k: v.rows for k, v in districts.items()},
        "wards": {k: v.rows for k, v in wards.items()},
    }


def main() -> None:
    table = build(_package_data_dir())
    TABLE_PATH.parent.mkdir(parents=True, exist_ok=True)
    # One unit per line: diffs of a rebuild show which units changed.
    lines = ['{"source": ' + json.dumps(table["source"], ensure_ascii=False) + ',',
             ' "provinces": [' + ",\n  ".join(json.dumps(r, ensure_ascii=False) for r in table["provinces"]) + '],']
    for section in ("districts", "wards"):
        parts = [json.dumps(k, ensure_ascii=False) + ": [" + ", ".join(json.dumps(r, ensure_ascii=False) for r in rows)
                 + "]" for k, rows in table[section].items()]
        lines.append(f' "{section}": {{' + ",\n  ".join(parts) + "}" + ("," if section == "districts" else ""))
    lines.append("}")
    TABLE_PATH.write_text("\n".join(lines) + "\n", encoding="utf-8")
    print(f"wrote {TABLE_PATH} ({TABLE_PATH.stat().st_size // 1024} KiB)")


if __name__ == "__main__":
    main()
