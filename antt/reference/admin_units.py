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


# ---------------------------------------------------------------- legacy units (before 1 July 2025)

MERGER_DATE = "2025-07-01"  # the 2025 merger of communes took effect on this date
EXPECTED_LEGACY_COMMUNES = 526
EXPECTED_LEGACY_DISTRICTS = 30


@dataclass(frozen=True)
class LegacyCommune:
    code: str            # official 5-digit legacy ward code, e.g. "00001"
    name: str            # e.g. "Phường Phúc Xá"
    type: str            # "Phường" | "Xã" | "Thị trấn"
    district_code: str   # 3-digit legacy district code, e.g. "001"
    district_name: str   # e.g. "Quận Ba Đình"
    district_type: str   # "Quận" | "Huyện" | "Thị xã"
    lat: float | None
    lon: float | None
    key: str             # vietnamadminunits key "<province>_<district>_<ward>"


@dataclass(frozen=True)
class CrosswalkTarget:
    legacy_code: str
    commune_code: str    # current commune code (vietnam-provinces)
    is_default: bool     # the reference's default ward for a split legacy unit
    lat: float           # centroid of the current commune (from the converter data)
    lon: float


def _vau_db() -> Path:
    import vietnamadminunits

    return Path(vietnamadminunits.__file__).parent / "data"


@lru_cache(maxsize=1)
def hanoi_legacy_communes() -> tuple[LegacyCommune, ...]:
    """The 526 Hanoi communes/wards/towns as they were before the merger, sorted by code."""
    with sqlite3.connect(f"file:{_vau_db() / 'dataset.db'}?mode=ro", uri=True) as conn:
        conn.row_factory = sqlite3.Row
        rows = conn.execute(
            "SELECT ward, wardType, wardCode, wardLat, wardLon, district, districtType, districtCode, "
            "provinceKey, districtKey, wardKey FROM admin_units_legacy WHERE provinceCode = ?",
            (f"{HANOI_PROVINCE_CODE:02d}",),
        ).fetchall()
    out = [LegacyCommune(
        code=f"{int(r['wardCode']):05d}", name=_nfc(r["ward"]), type=_nfc(r["wardType"]),
        district_code=f"{int(r['districtCode']):03d}", district_name=_nfc(r["district"]),
        district_type=_nfc(r["districtType"]),
        lat=float(r["wardLat"]) if r["wardLat"] is not None else None,
        lon=float(r["wardLon"]) if r["wardLon"] is not None else None,
        key=f"{r['provinceKey']}_{r['districtKey']}_{r['wardKey']}",
    ) for r in rows]
    out.sort(key=lambda c: c.code)
    return tuple(out)


@lru_cache(maxsize=1)
def hanoi_crosswalk() -> dict[str, tuple[CrosswalkTarget, ...]]:
    """Legacy commune code → the current commune(s) its territory went to.

    From ``vietnamadminunits``' ``converter_2025.json``: a legacy unit merged whole into one
    new unit has one target (``is_default`` True); a legacy unit split across several new
    units lists every candidate, exactly one marked as the reference's default ward.
    New units are matched to the official codes of :func:`hanoi_communes` by the package's
    ward key (itself matched on the full name). Raises when any legacy unit is unmapped.
    """
    import json

    conv = json.loads((_vau_db() / "converter_2025.json").read_text(encoding="utf-8"))
    with sqlite3.connect(f"file:{_vau_db() / 'dataset.db'}?mode=ro", uri=True) as conn:
        key_to_name = dict(conn.execute(
            "SELECT wardKey, ward FROM admin_units WHERE provinceCode = ?",
            (f"{HANOI_PROVINCE_CODE:02d}",)).fetchall())
        key_to_point = {k: (lat, lon) for k, lat, lon in conn.execute(
            "SELECT wardKey, wardLat, wardLon FROM admin_units WHERE provinceCode = ?",
            (f"{HANOI_PROVINCE_CODE:02d}",)).fetchall()}
    current = {c.name: c for c in hanoi_communes()}
    legacy = {c.key: c for c in hanoi_legacy_communes()}

    def target(legacy_code: str, new_key: str, default: bool) -> CrosswalkTarget:
        name = _nfc(key_to_name[new_key])
        c = current[name]
        lat, lon = key_to_point.get(new_key) or (c.lat, c.lon)
        return CrosswalkTarget(legacy_code, c.code, default, float(lat), float(lon))

    out: dict[str, list[CrosswalkTarget]] = {}
    whole = conv["DICT_PROVINCE_WARD_NO_DIVIDED"]["thanhphohanoi"]
    for new_key, legacy_keys in whole.items():
        for lk in legacy_keys:
            lc = legacy[lk]
            out.setdefault(lc.code, []).append(target(lc.code, new_key, True))
    split = conv["DICT_PROVINCE_WARD_DIVIDED"]["thanhphohanoi"]
    for lk, cands in split.items():
        lc = legacy[lk]
        for cand in cands:
            out.setdefault(lc.code, []).append(
                target(lc.code, cand["newWardKey"], bool(cand["isDefaultNewWard"])))
    missing = [c.code for c in hanoi_legacy_communes() if c.code not in out]
    bad = [code for code, ts in out.items() if sum(t.is_default for t in ts) != 1]
    if missing or bad:
        raise RuntimeError(f"crosswalk incomplete: unmapped legacy units {missing[:10]}, "
                           f"units without exactly one default target {bad[:10]}")
    return {code: tuple(sorted(ts, key=lambda t: t.commune_code)) for code, ts in sorted(out.items())}


def haversine_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    r = 6371.0088
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * r * math.asin(math.sqrt(a))


def current_commune_for(legacy_code: str, lat: float | None = None, lon: float | None = None) -> str:
    """THE crosswalk rule (the Spark/dbt implementations are tested against it).

    A legacy unit merged whole → its one current commune. A legacy unit split across
    several → with coordinates, the candidate whose centroid is nearest to the point
    (great-circle distance; ties → lowest code); without coordinates, the reference's
    default ward.
    """
    targets = hanoi_crosswalk()[legacy_code]
    if len(targets) == 1:
        return targets[0].commune_code
    if lat is None or lon is None:
        return next(t.commune_code for t in targets if t.is_default)
    return min(targets, key=lambda t: (haversine_km(lat, lon, t.lat, t.lon), t.commune_code)).commune_code


if __name__ == "__main__":  # quick look: python -m antt.reference.admin_units
    cs = hanoi_communes()
    for c in cs:
        print(c.code, c.type, c.name, c.lat, c.lon, c.area_km2, c.coord_source, sep="\t")
    print(len(cs), "communes")
    legacy = hanoi_legacy_communes()
    cw = hanoi_crosswalk()
    print(len(legacy), "legacy communes in", len({c.district_code for c in legacy}), "districts;",
          sum(len(t) > 1 for t in cw.values()), "split across several current communes")
