"""Prefix-stable synthetic camera registry.

Camera ``i`` (1-based, id ``CAM-00001``…) depends only on ``(seed, i)``: a registry of 20
cameras is an exact prefix of a registry of 150.

Placement: the first 126 cameras go one per commune, in a seed-dependent order drawn by
weighted sampling without replacement (Efraimidis–Spirakis keys) that favours central
wards (weight = 2 for a *Phường*, 1 for a *Xã*, times ``1 + 4·exp(-d/6 km)`` where ``d``
is the distance to Hoàn Kiếm Lake) — so every commune has a camera when N ≥ 126 and
small registries sit mostly in the centre. Cameras 127+ pick a commune with the same
weights, independently per camera. The position is jittered around the commune point
by up to ~0.45·sqrt(area/π) (at most 2.5 km).
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass
from datetime import date, timedelta
from functools import lru_cache

from antt.reference.admin_units import Commune, hanoi_communes

HOAN_KIEM_LAKE = (21.0288, 105.8525)  # city centre used for "central" weighting

VENDORS: tuple[tuple[str, float], ...] = (
    ("Hikvision", 0.34), ("Dahua", 0.22), ("Viettel", 0.18), ("VNPT Technology", 0.12),
    ("Bkav", 0.08), ("Axis", 0.06),
)
INSTALLED_FROM = date(2018, 1, 1)
INSTALLED_TO = date(2025, 6, 30)

REGISTRY_COLUMNS = (
    "camera_id", "commune_code", "commune_name", "lat", "lon", "road_name",
    "speed_limit_kmh", "vendor", "installed_date",
)

# Real Hanoi street names used to label synthetic cameras (not geographically exact).
URBAN_ARTERIALS = (
    "Đường Giải Phóng", "Đường Nguyễn Trãi", "Đường Trường Chinh", "Đường Láng",
    "Đường Phạm Văn Đồng", "Đường Võ Chí Công", "Đường Nguyễn Văn Cừ", "Đường Minh Khai",
    "Đường Lê Văn Lương", "Đường Tố Hữu", "Đường Hoàng Quốc Việt", "Đường Nguyễn Chí Thanh",
    "Đường Kim Mã", "Đường Xuân Thủy", "Đường Cầu Giấy", "Đường Nguyễn Xiển",
    "Đường Vành đai 2", "Đường Vành đai 3", "Đường Lạc Long Quân", "Đường Âu Cơ",
    "Đường Tôn Đức Thắng", "Đường Tây Sơn", "Đường Lê Duẩn", "Đường Trần Khát Chân",
    "Đường Đại Cồ Việt", "Đường Ngọc Hồi", "Đường Nguyễn Văn Linh", "Đường Hồ Tùng Mậu",
)
URBAN_STREETS = (
    "Phố Huế", "Phố Bà Triệu", "Phố Hàng Bài", "Phố Tràng Thi", "Phố Đinh Tiên Hoàng",
    "Phố Lý Thường Kiệt", "Phố Hai Bà Trưng", "Phố Điện Biên Phủ", "Phố Phan Đình Phùng",
    "Phố Hàng Bông", "Phố Quán Thánh", "Phố Thái Hà", "Phố Chùa Bộc", "Phố Tôn Thất Tùng",
    "Phố Hoàng Hoa Thám", "Phố Đội Cấn", "Phố Trần Duy Hưng", "Phố Nguyễn Lương Bằng",
    "Phố Bạch Mai", "Phố Lò Đúc", "Phố Trần Hưng Đạo", "Phố Lê Thanh Nghị",
)
EXPRESSWAYS = (
    "Đại lộ Thăng Long", "Vành đai 3 trên cao", "Cao tốc Pháp Vân - Cầu Giẽ",
    "Đường Võ Văn Kiệt", "Vành đai 4",
)
NATIONAL_ROADS = ("Quốc lộ 1A", "Quốc lộ 2", "Quốc lộ 3", "Quốc lộ 5", "Quốc lộ 6",
                  "Quốc lộ 21", "Quốc lộ 21B", "Quốc lộ 32", "Quốc lộ 18")
PROVINCIAL_ROADS = tuple(f"Tỉnh lộ {n}" for n in (413, 414, 415, 416, 417, 419, 421, 423, 424, 427, 428, 429))

# road class -> (speed limit weights, lane count range, traffic factor, vehicle mix)
# vehicle mix: motorbike, car, truck, bus, other
ROAD_CLASSES = {
    "street":     ({40: 0.55, 50: 0.45}, (2, 3), 0.80, (0.80, 0.15, 0.01, 0.02, 0.02)),
    "arterial":   ({50: 0.45, 60: 0.55}, (3, 4), 1.35, (0.70, 0.22, 0.03, 0.03, 0.02)),
    "expressway": ({60: 0.2, 80: 0.8},   (3, 4), 1.30, (0.10, 0.65, 0.17, 0.05, 0.03)),
    "national":   ({60: 0.6, 80: 0.4},   (2, 4), 1.05, (0.55, 0.25, 0.14, 0.04, 0.02)),
    "provincial": ({50: 0.5, 60: 0.5},   (2, 3), 0.75, (0.72, 0.17, 0.07, 0.02, 0.02)),
    "commune":    ({40: 0.6, 50: 0.4},   (2, 2), 0.55, (0.82, 0.11, 0.04, 0.01, 0.02)),
}


@dataclass(frozen=True)
class Camera:
    camera_id: str
    commune_code: str
    commune_name: str
    lat: float
    lon: float
    road_name: str
    speed_limit_kmh: int
    vendor: str
    installed_date: date
    road_class: str
    lanes: int
    traffic_factor: float          # relative volume, mean ≈ 1 over many cameras
    vehicle_mix: tuple[float, ...]  # cumulative-free weights per VEHICLE_TYPES

    def csv_row(self) -> list[str]:
        return [
            self.camera_id, self.commune_code, self.commune_name, f"{self.lat:.6f}",
            f"{self.lon:.6f}", self.road_name, str(self.speed_limit_kmh), self.vendor,
            self.installed_date.isoformat(),
        ]


def _distance_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    dlat = (lat2 - lat1) * 111.0
    dlon = (lon2 - lon1) * 111.0 * math.cos(math.radians((lat1 + lat2) / 2))
    return math.hypot(dlat, dlon)


def commune_weight(c: Commune) -> float:
    d = _distance_km(c.lat, c.lon, *HOAN_KIEM_LAKE)
    return (2.0 if c.type == "Phường" else 1.0) * (1.0 + 4.0 * math.exp(-d / 6.0))


@lru_cache(maxsize=16)
def _commune_order(seed: int) -> tuple[Commune, ...]:
    """Seed-dependent order of all communes, central ones tending to come first."""
    rng = random.Random(f"antt-commune-order:{seed}")
    keyed = [(rng.random() ** (1.0 / commune_weight(c)), c.code, c) for c in hanoi_communes()]
    keyed.sort(key=lambda t: (-t[0], t[1]))
    return tuple(c for _, _, c in keyed)


def _weighted(rng: random.Random, weights: dict) -> object:
    keys = list(weights)
    return rng.choices(keys, weights=[weights[k] for k in keys])[0]


def make_camera(seed: int, index: int, camera_id: str | None = None) -> Camera:
    """Camera number ``index`` (1-based). Depends only on (seed, index, camera_id)."""
    cid = camera_id or f"CAM-{index:05d}"
    rng = random.Random(f"antt-camera:{seed}:{cid}")
    order = _commune_order(seed)
    if camera_id is None and index <= len(order):
        commune = order[index - 1]
    else:
        communes = hanoi_communes()
        commune = rng.choices(communes, weights=[commune_weight(c) for c in communes])[0]

    urban = commune.type == "Phường"
    if urban:
        road_class = _weighted(rng, {"street": 0.45, "arterial": 0.45, "expressway": 0.10})
    else:
        road_class = _weighted(rng, {"national": 0.35, "provincial": 0.35, "commune": 0.25, "expressway": 0.05})
    road = {
        "street": URBAN_STREETS, "arterial": URBAN_ARTERIALS, "expressway": EXPRESSWAYS,
        "national": NATIONAL_ROADS, "provincial": PROVINCIAL_ROADS,
    }.get(road_class)
    if road is None:
        road_name = f"Đường trục {commune.name}"
    else:
        road_name = rng.choice(road)
        if road_class in ("street", "arterial") and rng.random() < 0.3:
            other = rng.choice(URBAN_STREETS + URBAN_ARTERIALS)
            if other != road_name:
                road_name = f"Ngã tư {road_name} - {other}"

    limits, (lmin, lmax), tfactor, mix = ROAD_CLASSES[road_class]
    speed_limit = _weighted(rng, limits)
    lanes = rng.randint(lmin, lmax)

    radius_km = min(2.5, 0.45 * math.sqrt((commune.area_km2 or 5.0) / math.pi))
    r = radius_km * math.sqrt(rng.random())
    theta = rng.random() * 2 * math.pi
    lat = commune.lat + r * math.cos(theta) / 111.0
    lon = commune.lon + r * math.sin(theta) / (111.0 * math.cos(math.radians(commune.lat)))

    vendor = rng.choices([v for v, _ in VENDORS], weights=[w for _, w in VENDORS])[0]
    span = (INSTALLED_TO - INSTALLED_FROM).days
    installed = INSTALLED_FROM + timedelta(days=rng.randrange(span + 1))
    # per-camera volume noise, lognormal with mean 1
    tf = tfactor * math.exp(rng.gauss(0.0, 0.35) - 0.35**2 / 2)
    return Camera(
        camera_id=cid, commune_code=commune.code, commune_name=commune.name,
        lat=round(lat, 6), lon=round(lon, 6), road_name=road_name,
        speed_limit_kmh=int(speed_limit), vendor=vendor, installed_date=installed,
        road_class=road_class, lanes=lanes, traffic_factor=tf, vehicle_mix=mix,
    )


def build_registry(seed: int, n_cameras: int) -> list[Camera]:
    """Cameras ``CAM-00001`` … ``CAM-{n:05d}``; prefix-stable in ``n_cameras``."""
    return [make_camera(seed, i) for i in range(1, n_cameras + 1)]


UNKNOWN_CAMERA_IDS = ("CAM-X9001", "CAM-X9002")


def unknown_cameras(seed: int) -> list[Camera]:
    """Cameras that emit events but are missing from the registry export."""
    return [make_camera(seed, 0, camera_id=cid) for cid in UNKNOWN_CAMERA_IDS]
