"""Admin-unit reference data and the legacy → current crosswalk rule."""
from __future__ import annotations

import random

import pytest

from antt.reference.admin_units import (
    current_commune_for,
    haversine_km,
    hanoi_communes,
    hanoi_crosswalk,
    hanoi_legacy_communes,
)


def test_counts_come_from_the_packages():
    legacy = hanoi_legacy_communes()
    assert len(legacy) == 526
    assert len({c.code for c in legacy}) == 526
    assert len({c.district_code for c in legacy}) == 30
    assert len(hanoi_communes()) == 126


def test_every_legacy_unit_maps_to_current_communes_with_one_default():
    current = {c.code for c in hanoi_communes()}
    cw = hanoi_crosswalk()
    assert set(cw) == {c.code for c in hanoi_legacy_communes()}
    for code, targets in cw.items():
        assert sum(t.is_default for t in targets) == 1, code
        assert {t.commune_code for t in targets} <= current, code
    # every current commune received some legacy territory
    assert {t.commune_code for ts in cw.values() for t in ts} == current
    assert sum(len(ts) > 1 for ts in cw.values()) > 100  # many legacy units were split


def test_default_agrees_with_the_packages_own_address_converter():
    """An independent path: vietnamadminunits.convert_address on the legacy address text."""
    from vietnamadminunits import convert_address

    names = {c.code: c.name for c in hanoi_communes()}
    for lc in hanoi_legacy_communes():
        unit = convert_address(f"{lc.name}, {lc.district_name}, Thành phố Hà Nội")
        assert unit.ward == names[current_commune_for(lc.code)], lc


def test_split_unit_without_coordinates_goes_to_the_default_ward():
    cw = hanoi_crosswalk()
    for code, targets in cw.items():
        default = next(t.commune_code for t in targets if t.is_default)
        assert current_commune_for(code) == default
        assert current_commune_for(code, None, 105.8) == default


def test_split_unit_with_coordinates_goes_to_the_nearest_candidate():
    rng = random.Random(7)
    split = {code: ts for code, ts in hanoi_crosswalk().items() if len(ts) > 1}
    checked = 0
    for code, targets in split.items():
        for t in targets:  # a point right at a candidate's centroid belongs to it
            assert current_commune_for(code, t.lat, t.lon) == t.commune_code
        lat, lon = targets[0].lat + rng.uniform(-0.02, 0.02), targets[0].lon + rng.uniform(-0.02, 0.02)
        nearest = min(targets, key=lambda t: haversine_km(lat, lon, t.lat, t.lon))
        assert current_commune_for(code, lat, lon) == nearest.commune_code
        checked += 1
    assert checked == len(split) > 0


def test_whole_unit_ignores_coordinates():
    whole = [code for code, ts in hanoi_crosswalk().items() if len(ts) == 1]
    code = whole[0]
    only = hanoi_crosswalk()[code][0].commune_code
    assert current_commune_for(code, 20.5, 105.3) == only


def test_haversine_known_distance():
    # Hoàn Kiếm Lake → Nội Bài airport ≈ 21 km as the crow flies
    assert haversine_km(21.0288, 105.8525, 21.2187, 105.8042) == pytest.approx(21.6, abs=0.5)


def test_unknown_legacy_code_is_an_error():
    with pytest.raises(KeyError):
        current_commune_for("99999")
