"""Vietnamese licence plates for synthetic camera reads.

Formats produced (as printed on the plate, one line):

* cars / trucks / buses: ``30A-123.45`` (2-digit province code, series letter, 5 digits
  ``ddd.dd``); occasionally two letters (``30LD-123.45``, always 5 digits) and
  occasionally the older 4-digit form ``30A-1234``;
* motorbikes: ``29B1-234.56`` (letter + digit series), occasionally ``29B1-2345``.

Province codes: Hà Nội (29–33, 40) dominate, with neighbouring and big-city provinces
mixed in. Regular vehicles repeat: :func:`plate_pool` builds a per-seed pool of
(plate, vehicle_type) with Zipf-like weights, so commuters are seen many times.
"""

from __future__ import annotations

import random
from bisect import bisect_right
from itertools import accumulate

# Series letters in use on Vietnamese plates (I, J, O, Q, R, W are not used).
SERIES_LETTERS = "ABCDEFGHKLMNPSTUVXYZ"

# (province code, weight) — Hà Nội codes dominate.
PROVINCE_CODES: tuple[tuple[str, float], ...] = (
    ("29", 18.0), ("30", 30.0), ("31", 6.0), ("32", 5.0), ("33", 7.0), ("40", 6.0),
    ("14", 1.0), ("15", 1.0), ("17", 1.2), ("18", 1.2), ("19", 1.0), ("20", 1.0),
    ("21", 0.5), ("22", 0.5), ("34", 1.2), ("35", 1.0), ("36", 1.5), ("37", 1.2),
    ("43", 0.4), ("51", 0.6), ("88", 1.3), ("89", 1.3), ("90", 1.0), ("98", 1.0), ("99", 1.2),
)
_PROV_CODES = [c for c, _ in PROVINCE_CODES]
_PROV_CUM = list(accumulate(w for _, w in PROVINCE_CODES))

VEHICLE_TYPES = ("motorbike", "car", "truck", "bus", "other")

# series letters per vehicle type (first letter of the series)
_SERIES_BY_TYPE = {
    "car": "AAAAAAAFGEK",     # A = private passenger cars, others = other 4-wheel series
    "truck": "CCCCH",        # C = trucks, H = tractor units / vans
    "bus": "BBBBF",          # B = passenger vehicles > 9 seats
    "other": "LDKNM",        # special / other series
}

OLD_FOUR_DIGIT_SHARE = 0.05
TWO_LETTER_SERIES_SHARE = 0.04


def _province(rng: random.Random) -> str:
    return _PROV_CODES[bisect_right(_PROV_CUM, rng.random() * _PROV_CUM[-1])]


def make_plate(rng: random.Random, vehicle_type: str) -> str:
    """One plate string for ``vehicle_type``, e.g. ``30A-123.45`` or ``29B1-234.56``."""
    prov = _province(rng)
    if vehicle_type == "motorbike":
        series = rng.choice(SERIES_LETTERS) + str(rng.randint(1, 9))
    else:
        series = rng.choice(_SERIES_BY_TYPE.get(vehicle_type, "A"))
        if rng.random() < TWO_LETTER_SERIES_SHARE:
            series += rng.choice(SERIES_LETTERS)
    # the older 4-digit numbering exists only with a one-letter (+ digit) series
    if rng.random() < OLD_FOUR_DIGIT_SHARE and not series[1:].isalpha():
        return f"{prov}{series}-{rng.randrange(10000):04d}"
    n = rng.randrange(100000)
    return f"{prov}{series}-{n // 100:03d}.{n % 100:02d}"


class PlatePool:
    """Regular vehicles: (plate, vehicle_type) with Zipf-like pick weights."""

    def __init__(self, entries: list[tuple[str, str]], weights: list[float]):
        self.entries = entries
        self._cum = list(accumulate(weights))

    def pick(self, rng: random.Random) -> tuple[str, str]:
        return self.entries[bisect_right(self._cum, rng.random() * self._cum[-1])]


def plate_pool(seed: int, size: int, type_weights: dict[str, float]) -> PlatePool:
    """Deterministic pool of ``size`` regular vehicles for ``seed`` (plates unique)."""
    rng = random.Random(f"antt-plate-pool:{seed}")
    types = list(type_weights)
    cum = list(accumulate(type_weights[t] for t in types))
    seen: set[str] = set()
    entries: list[tuple[str, str]] = []
    while len(entries) < size:
        vt = types[bisect_right(cum, rng.random() * cum[-1])]
        p = make_plate(rng, vt)
        if p not in seen:
            seen.add(p)
            entries.append((p, vt))
    weights = [1.0 / (rank + 10) ** 0.9 for rank in range(size)]
    return PlatePool(entries, weights)
