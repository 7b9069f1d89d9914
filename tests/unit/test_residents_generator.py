"""Synthetic resident registry generator: determinism, IDs, commune codes, CSV, events, snapshot."""

import csv
import hashlib
import io
import re
import statistics
import unicodedata
from collections import defaultdict
from datetime import date, datetime, timedelta

import pytest

from antt.generator import residents as gen
from antt.reference.admin_units import MERGER_DATE, hanoi_communes, hanoi_crosswalk, hanoi_legacy_communes

MERGER = date.fromisoformat(MERGER_DATE)
SCALE = 0.25                     # 20,000 base residents: fast, still hundreds of rows a day
LONG_START, LONG_DAYS = date(2025, 6, 20), 20      # spans the merger
SHORT_START, SHORT_DAYS = date(2025, 6, 30), 3     # inside the long range
NID = re.compile(r"\d{12}")
TS = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\+07:00")
CURRENT = {c.code for c in hanoi_communes()}
LEGACY = {c.code for c in hanoi_legacy_communes()}


# ---------------------------------------------------------------------------- helpers
def tree_digest(root):
    return {str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(root.rglob("*")) if p.is_file()}


def read_csv(path):
    with open(path, encoding="utf-8", newline="") as fh:
        rows = list(csv.reader(fh))
    return rows[0], rows[1:]


def load(root, start, days):
    """Every file of a run: snapshot rows and the daily rows (in landing order)."""
    snap = gen.snapshot_paths(root, start)
    out = {"snap_res": read_csv(snap["residents"])[1], "snap_ev": read_csv(snap["residence"])[1],
           "residents": [], "residence": [], "dossiers": []}
    for k in range(days):
        for kind, path in gen.extract_paths(root, start + timedelta(days=k)).items():
            header, rows = read_csv(path)
            assert tuple(header) == gen._COLUMNS[kind]
            out[kind] += rows
    return out


def ts(s):
    return datetime.fromisoformat(s)


def cutoff(d):
    return datetime(d.year, d.month, d.day, tzinfo=gen.TZ)


def code_list(d):
    return LEGACY if d < MERGER else CURRENT


def event_ok(r):
    """Structurally valid residence row (malformed extras have a bad shape, ID or date)."""
    return len(r) == 12 and NID.fullmatch(r[1]) and r[9] != "" and TS.fullmatch(r[11])


def event_valid(r):
    return event_ok(r) and r[5] in code_list(date.fromisoformat(r[9]))


def resident_ok(r):
    return len(r) == 8 and NID.fullmatch(r[1]) and r[3] != "" and r[4] in ("NAM", "NU")


def dossier_ok(r):
    return len(r) == 10 and NID.fullmatch(r[5]) and TS.fullmatch(r[7] or "-")


def in_force(g, d):
    return date.fromisoformat(g[9]) <= d and (g[10] == "" or d <= date.fromisoformat(g[10]))


def replay(data, start, until, check=False):
    """Registrations and active residents at ``until`` 00:00: snapshot of ``start`` + daily rows.

    Rows registered/changed before the snapshot cut-off are already in the snapshot (skipped).
    With ``check``: every REGISTER must not overlap a registration of the same person and type
    in force, every DEREGISTER must close exactly one registration in force (same person, type
    and household) at a commune consistent with it.
    """
    lo, hi = cutoff(start), cutoff(until)
    regs = {g[0]: g for g in data["snap_ev"]}
    by_key = defaultdict(dict)                     # (national_id, type) -> {event_id: row}
    for g in regs.values():
        by_key[(g[1], g[3])][g[0]] = g
    events = sorted({tuple(r) for r in data["residence"] if event_valid(r) and lo <= ts(r[11]) < hi},
                    key=lambda r: (r[11], r[0]))
    crosswalk = hanoi_crosswalk()
    n_dereg = n_cross = 0
    for r in events:
        eff = date.fromisoformat(r[9])
        same = list(by_key[(r[1], r[3])].values())
        if r[4] == "REGISTER":
            if check:
                end = date.fromisoformat(r[10]) if r[10] else date.max
                clash = [g for g in same if date.fromisoformat(g[9]) <= end
                         and eff <= (date.fromisoformat(g[10]) if g[10] else date.max)]
                assert not clash, (r, clash)
            regs[r[0]] = list(r)
            by_key[(r[1], r[3])][r[0]] = regs[r[0]]
        else:
            match = [g for g in same if g[2] == r[2] and in_force(g, eff)]
            assert len(match) == 1, ("DEREGISTER without its registration", r, same)
            g = match[0]
            if check:
                g_eff = date.fromisoformat(g[9])
                if g_eff < MERGER <= eff:   # legacy code on the REGISTER, current on the DEREGISTER
                    assert r[5] in {t.commune_code for t in crosswalk[g[5]]}, (g, r)
                    n_cross += 1
                else:
                    assert r[5] == g[5], (g, r)
            del regs[g[0]]
            del by_key[(r[1], r[3])][g[0]]
            n_dereg += 1
    live = sorted((g for g in regs.values() if g[10] == "" or date.fromisoformat(g[10]) >= until),
                  key=lambda g: g[0])
    people = {p[1]: p for p in data["snap_res"]}
    for p in data["residents"]:
        if resident_ok(p) and lo <= ts(p[6]) < hi:
            if p[1] not in people or int(p[7]) > int(people[p[1]][7]):
                people[p[1]] = p
    unknown = {g[1] for g in live} - set(people)
    assert not unknown, f"registrations in force of people without a resident row: {sorted(unknown)[:5]}"
    active = sorted((people[n] for n in {g[1] for g in live}), key=lambda p: p[1])
    return [list(g) for g in live], [list(p) for p in active], (n_dereg, n_cross)


# ---------------------------------------------------------------------------- runs
@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    root = tmp_path_factory.mktemp("registry")
    gen.generate(root / "long", LONG_START, LONG_DAYS, scale=SCALE)
    gen.generate(root / "short", SHORT_START, SHORT_DAYS, scale=SCALE)
    return root


@pytest.fixture(scope="module")
def long_data(runs):
    return load(runs / "long", LONG_START, LONG_DAYS)


# ---------------------------------------------------------------------------- determinism
def test_same_arguments_give_byte_identical_files(runs, tmp_path):
    gen.generate(tmp_path / "again", SHORT_START, SHORT_DAYS, scale=SCALE)
    first, again = tree_digest(runs / "short"), tree_digest(tmp_path / "again")
    assert len(first) == 3 * SHORT_DAYS + 2 and first == again
    gen.generate(tmp_path / "seed", SHORT_START, SHORT_DAYS, scale=SCALE, seed=43)
    other = tree_digest(tmp_path / "seed")
    assert all(other[k] != v for k, v in first.items())   # the seed matters, for every file


def test_a_partition_does_not_depend_on_the_range(runs):
    long, short = tree_digest(runs / "long"), tree_digest(runs / "short")
    extracts = {k: v for k, v in short.items() if "snapshot" not in k}
    assert len(extracts) == 3 * SHORT_DAYS
    assert all(long[k] == v for k, v in extracts.items())


def test_start_must_follow_the_epoch(tmp_path):
    with pytest.raises(ValueError):
        gen.generate(tmp_path, gen.EPOCH, 1, scale=SCALE)


# ---------------------------------------------------------------------------- people
def test_national_ids_are_12_digits_unique_and_agree_with_birth_and_sex(long_data):
    rows = [r for r in long_data["snap_res"] + long_data["residents"] if resident_ok(r)]
    assert len(rows) > 8000
    identity = defaultdict(set)
    first_rows = defaultdict(set)
    for op, nid, name, birth, sex, hid, changed, version in rows:
        b = date.fromisoformat(birth)
        digit = int(nid[3])
        assert digit == (0 if b.year < 2000 else 2) + (1 if sex == "NU" else 0), (nid, birth, sex)
        assert nid[4:6] == f"{b.year % 100:02d}", (nid, birth)
        assert re.fullmatch(r"HK-\d{8}", hid) and TS.fullmatch(changed)
        assert name.count(" ") >= 2 and name == unicodedata.normalize("NFC", name)
        identity[nid].add((birth, sex))
        if version == "1":
            assert op == "I"
            first_rows[nid].add((name, birth, sex, hid, changed))
    assert all(len(v) == 1 for v in identity.values())      # one person per ID
    assert all(len(v) == 1 for v in first_rows.values())    # one creation per ID (resends identical)
    provinces = {nid[:3] for nid in identity}
    assert "001" in provinces and len(provinces) > 20
    share_hanoi = sum(nid[:3] == "001" for nid in identity) / len(identity)
    assert 0.5 < share_hanoi < 0.9


def test_newcomers_with_temporary_residence_are_not_born_in_hanoi(long_data):
    created = {r[1]: r for r in long_data["residents"] if resident_ok(r) and r[0] == "I"}
    first_event = {}
    for r in sorted((r for r in long_data["residence"] if event_valid(r)), key=lambda r: (r[11], r[0])):
        first_event.setdefault(r[1], r)
    newcomers = [n for n, r in created.items() if n in first_event and first_event[n][3] == "TAM_TRU"
                 and first_event[n][11] == r[6]]
    births = [n for n, r in created.items() if (ts(r[6]).date() - date.fromisoformat(r[3])).days < 90]
    assert len(newcomers) > 30 and len(births) >= 3
    assert all(n[:3] != "001" for n in newcomers)
    assert all(n[:3] == "001" and n[3] in "23" for n in births)


# ---------------------------------------------------------------------------- commune codes
@pytest.mark.parametrize("kind", ["residence", "dossiers"])
def test_commune_codes_are_legacy_before_the_merger_and_current_after(long_data, kind):
    if kind == "residence":
        rows = [(date.fromisoformat(r[9]), r[5]) for r in long_data["residence"] + long_data["snap_ev"] if event_ok(r)]
    else:
        rows = [(ts(r[7]).date(), r[4]) for r in long_data["dossiers"] if dossier_ok(r) and r[7]]
    wrong, unknown = [], 0
    for d, code in rows:
        if code in code_list(d):
            continue
        if code in LEGACY | CURRENT:
            wrong.append((d, code))
        else:
            unknown += 1        # a malformed extra record (unknown commune code)
    assert not wrong, wrong[:10]
    assert unknown <= 10
    before = {code for d, code in rows if d < MERGER}
    after = {code for d, code in rows if d >= MERGER}
    assert len(after) > 25 and len(before) > 25
    assert before - CURRENT           # legacy-only codes are really used before the merger


# ---------------------------------------------------------------------------- CSV shape
def test_quoted_newlines_parse_back(runs, long_data):
    with_newline = [r for r in long_data["residence"] if len(r) > 6 and "\n" in r[6]]
    assert with_newline, "expected some addresses with a newline inside the quoted field"
    assert all(event_ok(r) for r in with_newline)           # the next fields are still in place
    for k in range(LONG_DAYS):
        path = gen.extract_paths(runs / "long", LONG_START + timedelta(days=k))["residence"]
        raw = path.read_bytes()
        header, rows = read_csv(path)
        buf = io.StringIO()
        csv.writer(buf, lineterminator="\n").writerows([header] + rows)
        assert buf.getvalue().encode("utf-8") == raw          # RFC 4180 round trip, "\n" endings
        assert b"\r" not in raw
    assert sum(raw.count(b"\n") for raw in [p.read_bytes() for p in (runs / "long").rglob("residence_events_*.csv")]) \
        > len(long_data["residence"]) + LONG_DAYS


def test_malformed_rows_are_extra_records_that_never_hide_a_valid_one(long_data):
    events, dossiers, people = long_data["residence"], long_data["dossiers"], long_data["residents"]
    bad_ev = [r for r in events if not event_valid(r)]
    good_ds = [r for r in dossiers if dossier_ok(r) and r[4] in LEGACY | CURRENT]
    bad_ds = [r for r in dossiers if not dossier_ok(r) or r[4] not in LEGACY | CURRENT]
    bad_res = [r for r in people if not resident_ok(r)]
    assert bad_ev and bad_ds and bad_res
    good_ids = {r[0] for r in events if event_valid(r)} | {r[0] for r in good_ds}
    good_nids = {r[1] for r in people + long_data["snap_res"] if resident_ok(r)}
    assert not {r[0] for r in bad_ev + bad_ds} & good_ids
    assert not {r[1][:12] for r in bad_ev + bad_res} & good_nids
    assert len(bad_ev) < 0.05 * len(events)


# ---------------------------------------------------------------------------- events
def test_register_and_deregister_pairs_are_consistent(long_data):
    until = LONG_START + timedelta(days=LONG_DAYS - 4)    # later rows may still be in flight
    live, active, (n_dereg, n_cross) = replay(long_data, LONG_START, until, check=True)
    assert n_dereg > 30 and live and active
    assert n_cross > 5     # registered before the merger (legacy code), closed after (current code)
    # DEREGISTERs registered before the snapshot cut-off (late copies) are the only ones skipped
    early = [r for r in long_data["residence"] if event_valid(r) and r[4] == "DEREGISTER"
             and ts(r[11]) < cutoff(LONG_START)]
    assert len(early) <= 0.1 * n_dereg


def test_snapshot_equals_the_replay_of_a_longer_range(runs, long_data):
    short = load(runs / "short", SHORT_START, SHORT_DAYS)
    live, active, _ = replay(long_data, LONG_START, SHORT_START)
    assert len(short["snap_ev"]) > 8000
    assert sorted(short["snap_ev"], key=lambda g: g[0]) == live
    assert sorted(short["snap_res"], key=lambda p: p[1]) == active
    kinds = {g[3] for g in short["snap_ev"]}
    assert kinds == {"THUONG_TRU", "TAM_TRU", "LUU_TRU"}
    assert all(g[4] == "REGISTER" for g in short["snap_ev"])


# ---------------------------------------------------------------------------- dossiers
def test_online_dossiers_are_faster_on_median_than_offline(long_data):
    final = {}
    for r in long_data["dossiers"]:
        if dossier_ok(r) and r[6] == "COMPLETED":
            final[r[0]] = r
    hours = defaultdict(list)
    for r in final.values():
        h = (ts(r[8]) - ts(r[7])).total_seconds() / 3600
        assert h >= 0
        if r[2] != "KHAI_BAO_LUU_TRU":               # a notice: no processing
            hours[(r[2], r[3])].append(h)
            hours[("ALL", r[3])].append(h)
    for service in ("DK_TAM_TRU", "ALL"):
        online, offline = hours[(service, "ONLINE")], hours[(service, "OFFLINE")]
        assert len(online) > 20 and len(offline) > 20
        assert statistics.median(online) < statistics.median(offline), service
    # versions of one dossier: SUBMITTED first, completed_at only once done
    by_id = defaultdict(list)
    for r in long_data["dossiers"]:
        if dossier_ok(r):
            by_id[r[0]].append(r)
    for rs in by_id.values():
        for r in rs:
            assert (r[8] != "") == (r[6] in ("COMPLETED", "REJECTED"))
            assert (r[6] == "SUBMITTED") == (r[1] == "1")
