"""Current (post 1 July 2025) communes/wards of Hà Nội, from PyPI reference packages.

Sources (never a hand-typed list):

* ``vietnam-provinces`` (``Ward.iter_by_province``): the official 2025 list — ward code,
  full name (``Phường …`` / ``Xã …``), division type. Its data is retrieved from the
  national statistics office list; we treat its **code** and **name** as authoritative.
* ``vietnamadminunits`` (SQLite ``dataset.db``, table ``admin_units``): the same 126 units
  with centroid latitude/longitude and area (km²). It also carries its own ward code,
  which disagrees with ``vietnam-provinces`` for 29 of the 126 Hanoi units (it seems to
  use the code of a different merged legacy ward); we keep it as ``vau_code`` for
  reference only. The packages are joined on the full unit name (Unicode NFC), which
  matches for all 126 units.

Coordinates: taken from ``vietnamadminunits``. If a unit had no coordinates there (none
today), a deterministic point is derived: the province centroid from the same package
plus an offset of up to ~15 km whose bearing and distance come from SHA-256 of the unit
code; such rows carry ``coord_source == "derived"``.
"""

from __future__ import annotations

import hashlib
import math
import sqlite3
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

HANOI_PROVINCE_CODE = 1  # official province code of Thành phố Hà Nội ("01")
EXPECTED_HANOI_COMMUNES = 126


@dataclass(frozen=True)
class Commune:
    code: str            # official 5-digit ward code, zero padded, e.g. "00070"
    name: str            # full name, e.g. "Phường Hoàn Kiếm"
    type: str            # "Phường" | "Xã"
    lat: float
    lon: float
    area_km2: float | None
    coord_source: str    # "vietnamadminunits" | "derived"
    vau_code: str | None  # the code vietnamadminunits uses (may differ, see module doc)


def _nfc(s: str) -> str:
    return unicodedata.normalize("NFC", s).strip()


def _vau_rows(province_code: str) -> tuple[dict[str, dict], tuple[float, float] | None]:
    import vietnamadminunits

    db = Path(vietnamadminunits.__file__).parent / "data" / "dataset.db"
    # read-only URI: never touch the installed package's file
    with sqlite3.connect(f"file:{db}?mode=ro", uri=True) as conn:
        conn.row_factory = sqlite3.Row
        rows = conn.execute(
            "SELECT ward, wardType, wardCode, wardLat, wardLon, wardAreaKm2, provinceLat, provinceLon "
            "FROM admin_units WHERE provinceCode = ?",
            (province_code,),
        ).fetchall()
    by_name = {_nfc(r["ward"]): dict(r) for r in rows}
    centre = None
    for r in rows:
        if r["provinceLat"] is not None and r["provinceLon"] is not None:
            centre = (float(r["provinceLat"]), float(r["provinceLon"]))
            break
    return by_name, centre


def _derived_point(code: str, centre: tuple[float, float]) -> tuple[float, float]:
    h = hashlib.sha256(f"antt-commune-point:{code}".encode()).digest()
    bearing = int.from_bytes(h[:8], "big") / 2**64 * 2 * math.pi
    dist_km = 15.0 * math.sqrt(int.from_bytes(h[8:16], "big") / 2**64)
    lat = centre[0] + dist_km * math.cos(bearing) / 111.0
    lon = centre[1] + dist_km * math.sin(bearing) / (111.0 * math.cos(math.radians(centre[0])))
    return round(lat, 6), round(lon, 6)


@lru_cache(maxsize=1)
def hanoi_communes() -> tuple[Commune, ...]:
    """The current Hanoi communes/wards, sorted by code (126 expected)."""
    from vietnam_provinces import ProvinceCode, Ward

    pcode = ProvinceCode(HANOI_PROVINCE_CODE)
    wards = list(Ward.iter_by_province(pcode))
    vau, centre = _vau_rows(f"{HANOI_PROVINCE_CODE:02d}")
    if centre is None:  # pragma: no cover - package data always has it today
        raise RuntimeError("vietnamadminunits has no Hanoi centroid")

    out = []
    for w in wards:
        code = f"{int(w.code):05d}"
        name = _nfc(w.name)
        ctype = name.split(" ", 1)[0]  # "Phường" / "Xã" — the prefix of the official name
        row = vau.get(name)
        if row is not None and row["wardLat"] is not None and row["wardLon"] is not None:
            lat, lon, src = float(row["wardLat"]), float(row["wardLon"]), "vietnamadminunits"
        else:
            (lat, lon), src = _derived_point(code, centre), "derived"
        area = float(row["wardAreaKm2"]) if row is not None and row["wardAreaKm2"] is not None else None
        out.append(Commune(
            code=code, name=name, type=ctype, lat=lat, lon=lon, area_km2=area,
            coord_source=src, vau_code=row["wardCode"] if row is not None else None,
        ))
    out.sort(key=lambda c: c.code)
    return tuple(out)


if __name__ == "__main__":  # quick look: python -m antt.generator.admin_units
    cs = hanoi_communes()
    for c in cs:
        print(c.code, c.type, c.name, c.lat, c.lon, c.area_km2, c.coord_source, sep="\t")
    print(len(cs), "communes")
