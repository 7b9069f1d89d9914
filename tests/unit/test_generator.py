"""Synthetic camera landing generator: reference data, registry, determinism, shape, faults."""

import csv
import gzip
import hashlib
import json
import re
from collections import Counter, defaultdict
from datetime import date, datetime, timedelta

import pytest

from antt.generator import camera as gen
from antt.reference.admin_units import hanoi_communes
from antt.generator.registry import build_registry
from tests.support.landing_oracle import expected_camera_counts

START = date(2026, 11, 2)  # a Monday
EVENT_KEYS = ["event_id", "camera_id", "event_time", "plate", "vehicle_type", "lane",
              "speed_kmh", "confidence", "violation", "vendor_seq"]
TIME_RE = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}\+07:00")
PLATE_RE = re.compile(r"\d{2}[A-Z][A-Z0-9]?-\d{3}\.\d{2}|\d{2}[A-Z]\d?-\d{4}")
VIOLATIONS = {None, "RED_LIGHT", "SPEEDING", "WRONG_LANE", "WRONG_WAY", "NO_HELMET", "ILLEGAL_PARKING"}


def tree_digest(root):
    """{relative path: sha256} for every file under root."""
    return {str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(root.rglob("*")) if p.is_file()}


def read_lines(root):
    """[(dt, hh, file name, raw line)] for every event line under root."""
    out = []
    for f in sorted((root / "camera" / "events").glob("dt=*/hh=*/*.jsonl.gz")):
        dt, hh = f.parent.parent.name[3:], int(f.parent.name[3:])
        for raw in gzip.decompress(f.read_bytes()).decode("utf-8").split("\n")[:-1]:
            out.append((dt, hh, f.name, raw))
    return out


def parse_or_none(raw):
    try:
        return json.loads(raw)
    except ValueError:
        return None


# --------------------------------------------------------------------- reference data
def test_126_current_hanoi_communes_with_coordinates():
    cs = hanoi_communes()
    assert len(cs) == 126
    assert len({c.code for c in cs}) == 126 and len({c.name for c in cs}) == 126
    assert all(re.fullmatch(r"\d{5}", c.code) for c in cs)
    assert Counter(c.type for c in cs) == {"Phường": 51, "Xã": 75}
    assert all(c.name.startswith(c.type + " ") for c in cs)
    for c in cs:  # inside Hà Nội's bounding box
        assert 20.5 < c.lat < 21.45 and 105.25 < c.lon < 106.05, c
    assert {c.coord_source for c in cs} == {"vietnamadminunits"}
    by_name = {c.name: c for c in cs}
    assert by_name["Phường Hoàn Kiếm"].code == "00070"
    # the old district-level name survives only as a ward, e.g. Hoàn Kiếm lies north of Hoàng Mai
    assert by_name["Phường Hoàn Kiếm"].lat > by_name["Phường Hoàng Mai"].lat


# --------------------------------------------------------------------- registry
def test_registry_is_prefix_stable_and_covers_every_commune():
    small, big = build_registry(42, 20), build_registry(42, 150)
    assert small == big[:20]
    assert [c.camera_id for c in big[:3]] == ["CAM-00001", "CAM-00002", "CAM-00003"]
    assert len({c.commune_code for c in big}) == 126
    assert {c.speed_limit_kmh for c in big} <= {40, 50, 60, 80}
    assert build_registry(7, 20) != small  # the seed matters
    communes = {c.code: c for c in hanoi_communes()}
    for c in big:
        home = communes[c.commune_code]
        assert c.commune_name == home.name
        assert abs(c.lat - home.lat) < 0.03 and abs(c.lon - home.lon) < 0.03
    # denser in the centre: the first 20 cameras are mostly in wards (Phường)
    assert sum(communes[c.commune_code].type == "Phường" for c in small) >= 12


def test_registry_csv_and_camera_files_prefix_stable(tmp_path):
    gen.generate(tmp_path / "a", START, 1, n_cameras=5, scale=0.2)
    gen.generate(tmp_path / "b", START, 1, n_cameras=12, scale=0.2)
    reg = "camera/registry/dt=2026-11-02/cameras.csv"
    a = (tmp_path / "a" / reg).read_text(encoding="utf-8").splitlines()
    b = (tmp_path / "b" / reg).read_text(encoding="utf-8").splitlines()
    assert a[0] == ("camera_id,commune_code,commune_name,lat,lon,road_name,"
                    "speed_limit_kmh,vendor,installed_date")
    assert len(a) == 6 and len(b) == 13 and b[:6] == a
    # a camera's events do not depend on how many cameras were generated
    da, db = tree_digest(tmp_path / "a"), tree_digest(tmp_path / "b")
    cam3 = {k: v for k, v in da.items() if k.endswith("CAM-00003.jsonl.gz")}
    assert cam3 and all(db[k] == v for k, v in cam3.items())


# --------------------------------------------------------------------- determinism
def test_deterministic_idempotent_and_seed_sensitive(tmp_path):
    kw = dict(n_cameras=8, scale=0.3)
    gen.generate(tmp_path / "r1", START, 2, **kw)
    gen.generate(tmp_path / "r2", START, 2, **kw)
    d1 = tree_digest(tmp_path / "r1")
    assert d1 and d1 == tree_digest(tmp_path / "r2")
    # re-run into the same dir with fewer cameras: same files as a fresh run, no leftovers
    gen.generate(tmp_path / "r1", START, 2, n_cameras=3, scale=0.3)
    gen.generate(tmp_path / "r3", START, 2, n_cameras=3, scale=0.3)
    assert tree_digest(tmp_path / "r1") == tree_digest(tmp_path / "r3")
    gen.generate(tmp_path / "s", START, 2, seed=43, **kw)
    ds = tree_digest(tmp_path / "s")
    common = set(ds) & set(d1)
    assert common and sum(ds[k] != d1[k] for k in common) > 0.9 * len(common)


def test_partition_content_does_not_depend_on_run_range(tmp_path):
    kw = dict(n_cameras=6, scale=0.3)
    gen.generate(tmp_path / "range", START, 2, **kw)
    gen.generate(tmp_path / "single", START + timedelta(days=1), 1, **kw)
    day2 = {k: v for k, v in tree_digest(tmp_path / "range").items() if "dt=2026-11-03" in k}
    assert day2 and day2 == tree_digest(tmp_path / "single")


def test_scale_multiplies_volume(tmp_path):
    s1 = gen.generate(tmp_path / "x1", START, 1, n_cameras=10, scale=1.0)
    s2 = gen.generate(tmp_path / "x2", START, 1, n_cameras=10, scale=0.25)
    ratio = s2.days[0].lines / s1.days[0].lines
    assert 0.2 < ratio < 0.3


# --------------------------------------------------------------------- one realistic run
@pytest.fixture(scope="module")
def run(tmp_path_factory):
    root = tmp_path_factory.mktemp("landing")
    summary = gen.generate(root, START, 2, n_cameras=150, scale=0.5, collect_truth=True)
    lines = read_lines(root)
    with open(root / "camera/registry/dt=2026-11-02/cameras.csv", encoding="utf-8", newline="") as fh:
        registry = {r["camera_id"]: r for r in csv.DictReader(fh)}
    return root, summary, lines, registry


def test_every_file_is_gzip_json_lines_with_the_keys(run):
    root, summary, lines, registry = run
    files = list((root / "camera" / "events").glob("dt=*/hh=*/*"))
    assert len(files) == sum(d.files for d in summary.days) > 5000
    assert all(f.name.endswith(".jsonl.gz") and f.stat().st_size > 20 for f in files)
    cams = {f.name.removesuffix(".jsonl.gz") for f in files}
    assert cams == set(registry) | {"CAM-X9001", "CAM-X9002"}
    assert {f.parent.name for f in files} == {f"hh={h:02d}" for h in range(24)}
    broken = 0
    for dt, hh, name, raw in lines:
        obj = parse_or_none(raw)
        if obj is None:
            broken += 1
            continue
        assert list(obj) == EVENT_KEYS
        assert name == obj["camera_id"] + ".jsonl.gz"
        assert TIME_RE.fullmatch(obj["event_time"])
        assert obj["vehicle_type"] in {"motorbike", "car", "truck", "bus", "other"}
        assert isinstance(obj["lane"], int) and 1 <= obj["lane"] <= 4
        assert obj["speed_kmh"] >= 0 and round(obj["speed_kmh"], 1) == obj["speed_kmh"]
        assert 0 <= obj["confidence"] <= 1 and round(obj["confidence"], 3) == obj["confidence"]
        assert obj["violation"] in VIOLATIONS
        assert isinstance(obj["vendor_seq"], int) and isinstance(obj["event_id"], str)
        # landed in the event's own hour or later, never more than 30 + 3 hours later
        ev_hour = datetime.fromisoformat(obj["event_time"][:13] + ":00:00+07:00")
        landed = datetime.fromisoformat(f"{dt}T{hh:02d}:00:00+07:00")
        assert timedelta(0) <= landed - ev_hour <= timedelta(hours=33)
    assert 0 < broken < 0.01 * len(lines)


def test_fault_shares_roughly_as_configured(run):
    _, _, lines, registry = run
    parsed = [(dt, hh, parse_or_none(raw)) for dt, hh, _, raw in lines]
    n = len(parsed)
    good = [(dt, hh, o) for dt, hh, o in parsed if o is not None]
    assert 0.4 * gen.MALFORMED_LINE_RATE < (n - len(good)) / n < 2 * gen.MALFORMED_LINE_RATE

    unknown = sum(o["camera_id"] not in registry for _, _, o in good) / len(good)
    assert 0.005 < unknown < 0.025  # 2 of 152 cameras

    p = [o["plate"] for _, _, o in good]
    unreadable = sum(not (isinstance(x, str) and PLATE_RE.fullmatch(x.strip().upper())) for x in p)
    assert 0.5 * gen.UNREADABLE_PLATE_RATE < unreadable / len(p) < 1.6 * gen.UNREADABLE_PLATE_RATE
    assert any(isinstance(x, str) and "?" in x for x in p) and None in p and "" in p
    noisy = sum(isinstance(x, str) and x != x.strip().upper()
                and PLATE_RE.fullmatch(x.strip().upper()) is not None for x in p)
    assert noisy > 0

    copies = Counter(o["event_id"] for _, _, o in good)
    dup_share = sum(c - 1 for c in copies.values()) / len(copies)
    assert 0.5 * gen.RESEND_RATE < dup_share < 1.5 * gen.RESEND_RATE
    # identical bytes for a resend
    by_id = defaultdict(set)
    for dt, hh, _, raw in lines:
        o = parse_or_none(raw)
        if o is not None:
            by_id[o["event_id"]].add(raw)
    assert all(len(v) == 1 for v in by_id.values())

    first_landing = {}
    event_hour = {}
    for dt, hh, o in good:
        slot = datetime.fromisoformat(f"{dt}T{hh:02d}:00:00")
        first_landing[o["event_id"]] = min(first_landing.get(o["event_id"], slot), slot)
        event_hour[o["event_id"]] = datetime.fromisoformat(o["event_time"][:13] + ":00:00")
    late = sum(first_landing[e] > event_hour[e] for e in first_landing) / len(first_landing)
    assert 0.5 * gen.LATE_RATE < late < 1.5 * gen.LATE_RATE
    late_next_day = sum(first_landing[e].date() > event_hour[e].date() for e in first_landing)
    assert late_next_day > 0

    distinct = {o["event_id"]: o for _, _, o in good}
    viol = sum(o["violation"] is not None for o in distinct.values()) / len(distinct)
    assert 0.04 <= viol <= 0.06


def test_violation_consistency(run):
    _, _, lines, registry = run
    limits = {k: int(v["speed_limit_kmh"]) for k, v in registry.items()}
    seen = Counter()
    for *_, raw in lines:
        o = parse_or_none(raw)
        if o is None or o["camera_id"] not in limits:
            continue
        seen[o["violation"]] += 1
        if o["violation"] == "NO_HELMET":
            assert o["vehicle_type"] == "motorbike"
        over = o["speed_kmh"] > limits[o["camera_id"]]
        assert over == (o["violation"] == "SPEEDING"), o
    assert set(seen) == VIOLATIONS


def test_diurnal_curve_and_volume(run):
    _, summary, lines, registry = run
    per_hour = Counter()
    per_camera_day = Counter()
    seen = set()
    for *_, raw in lines:
        o = parse_or_none(raw)
        if o is None or o["event_id"] in seen:
            continue
        seen.add(o["event_id"])
        per_hour[int(o["event_time"][11:13])] += 1
        if o["camera_id"] in registry and o["event_time"][:10] == "2026-11-02":
            per_camera_day[o["camera_id"]] += 1
    night = sum(per_hour[h] for h in range(1, 6)) / 5
    morning = sum(per_hour[h] for h in (7, 8)) / 2
    evening = sum(per_hour[h] for h in (17, 18)) / 2
    midday = sum(per_hour[h] for h in (11, 12, 13)) / 3
    assert morning > 4 * night and evening > 4 * night
    assert morning > 1.3 * midday and evening > 1.3 * midday
    # ≈ 300 events per camera per day at scale 1.0 (this run: scale 0.5)
    mean = sum(per_camera_day.values()) / len(registry)
    assert 120 < mean < 190


def test_plates_look_vietnamese_and_repeat(run):
    _, _, lines, _ = run
    plates = []
    for *_, raw in lines:
        o = parse_or_none(raw)
        if o is not None and isinstance(o["plate"], str) and PLATE_RE.fullmatch(o["plate"]):
            plates.append((o["plate"], o["vehicle_type"]))
    hanoi = sum(p[:2] in {"29", "30", "31", "32", "33", "40"} for p, _ in plates) / len(plates)
    assert 0.7 < hanoi < 0.95
    moto = [p for p, vt in plates if vt == "motorbike"]
    assert sum(bool(re.fullmatch(r"\d{2}[A-Z]\d-.*", p)) for p in moto) == len(moto)
    assert sum(bool(re.fullmatch(r"\d{2}[A-Z]-\d{3}\.\d{2}", p)) for p, vt in plates if vt == "car") > 0
    assert any(re.fullmatch(r"\d{2}[A-Z]\d?-\d{4}", p) for p, _ in plates)  # old 4-digit
    counts = Counter(p for p, _ in plates)
    assert counts.most_common(1)[0][1] >= 20           # commuters are seen many times
    assert len(counts) < 0.75 * len(plates)
    vt_share = Counter(vt for _, vt in plates)
    assert vt_share["motorbike"] > 0.5 * len(plates)


def test_oracle_agrees_with_generator_ground_truth(run):
    """Two independent computations: the generator knows what it wrote, the oracle parses it."""
    root, summary, _, _ = run
    t = summary.truth
    got = expected_camera_counts(root, ["2026-11-02", "2026-11-03"])
    assert got["total_lines"] == t.lines == sum(d.lines for d in summary.days)
    assert got["malformed"] == t.malformed > 0
    assert got["unknown_camera"] == t.unknown_camera > 0
    assert got["unreadable_plate"] == t.unreadable_plate > 0
    assert got["invalid_other"] == 0
    assert got["valid_lines"] == t.valid_lines
    assert got["valid_distinct_events"] == len(t.valid_event_ids)
    assert got["duplicates"] == t.valid_lines - len(t.valid_event_ids) > 0
    assert got["valid_distinct_violations_by_date"] == t.violations_by_date()
    assert set(got["valid_distinct_violations_by_date"]) >= {"2026-11-01", "2026-11-02", "2026-11-03"}


# --------------------------------------------------------------------- CLI
def test_cli_writes_partitions_and_reports_progress(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("ANTT_LANDING_DIR", str(tmp_path / "env_landing"))
    rc = gen.main(["--start-date", "2026-11-03", "--days", "2", "--cameras", "3", "--scale", "0.1"])
    assert rc == 0
    err = capsys.readouterr().err
    assert re.search(r"day 1/2 2026-11-03: [\d,]+ events in [\d,]+ files", err)
    assert "day 2/2 2026-11-04" in err
    root = tmp_path / "env_landing" / "camera"
    for d in ("2026-11-03", "2026-11-04"):
        assert (root / "registry" / f"dt={d}" / "cameras.csv").is_file()
        assert list((root / "events" / f"dt={d}").glob("hh=*/CAM-00001.jsonl.gz"))
    assert not list(root.rglob(".*"))  # no temp files left behind
    with pytest.raises(SystemExit):
        gen.main(["--days", "1"])  # --start-date is required
