"""Read camera landing files in Spark's Python workers: gunzip, split into numbered lines and
parse the JSON of each line into typed fields with pyarrow, in one pass per file.

Spark's own path (``bronze.read_files`` + ``bronze.split_lines``, then ``from_json`` in
silver) cost 5.3 s for one hour of the bench day (950 k lines, warm); this path reads, splits
and parses the same files in 2.8 s (measured ad hoc on 2 cores, README: Benchmark).

Only files that are plain and whole come this way: a file that is not gzip, is damaged or
cut short, has no line, or is not valid UTF-8 gives no row here (``None``), and bronze reads
it the Spark way (and, when Spark cannot either, salvages it) — so the lines in bronze and
their ``raw`` text are the same whichever path read them.

``parsed`` is NULL for a line pyarrow did not parse: not an object between braces, broken
JSON, a field of an unexpected type (a number sent as a string), a key given twice... Silver
parses those lines' ``raw`` itself with Spark's rules; pyarrow's reader is stricter than
Spark's, never looser, so every line it accepts reads the same both ways
(tests/unit/test_landing_reader.py compares the two over the bad-input corpus).

This module needs only the standard library and pyarrow: Spark ships its functions to the
workers by value (``register_pickle_by_value`` in bronze), nothing here imports pyspark.
"""
from __future__ import annotations

import gzip
import re
import zlib
from collections.abc import Iterator

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.json as pj

# The fields silver reads, as pyarrow types them: numbers as numbers (pyarrow cannot read a
# JSON number into a string column), the rest as text.
FIELDS = ("event_id", "camera_id", "event_time", "plate", "vehicle_type", "lane", "speed_kmh",
          "confidence", "violation")
_NUMBERS = {"lane": pa.int64(), "speed_kmh": pa.float64(), "confidence": pa.float64()}
PARSED_TYPE = pa.struct([(f, _NUMBERS.get(f, pa.string())) for f in FIELDS])
PARSED_DDL = "STRUCT<" + ", ".join(
    f"{f}: {'BIGINT' if f == 'lane' else 'DOUBLE' if f in _NUMBERS else 'STRING'}" for f in FIELDS) + ">"
# what one file gives: its lines, numbered as an editor shows them, and their fields
SCHEMA = pa.schema([("source_file", pa.string()), ("line_no", pa.int32()), ("raw", pa.string()),
                    ("parsed", PARSED_TYPE)])
SPARK_SCHEMA = f"source_file string, line_no int, raw string, parsed {PARSED_DDL}"

_PARSE = pj.ParseOptions(explicit_schema=pa.schema(list(PARSED_TYPE)), unexpected_field_behavior="ignore")
_ROW = re.compile(r" in row (\d+)\s*$")
# reads of one file's lines before the rest is left to Spark's parser
MAX_CALLS = 64


def _lines(text: str) -> list[tuple[int, str]]:
    """(line_no, line) of the non-blank lines, as ``bronze.split_lines`` makes them: split on
    LF or CRLF, a line only of spaces is not a record but keeps its number."""
    parts = text.split("\n")
    out = []
    for i, line in enumerate(parts, start=1):
        if i < len(parts) and line.endswith("\r"):
            line = line[:-1]
        if line.strip(" "):
            out.append((i, line))
    return out


def _candidate(line: str) -> bool:
    """A line pyarrow may parse: one object between braces (silver's rules ask the same of
    every line), and no CR inside, which pyarrow would take for a line end."""
    s = _strip_bom(line).strip(" ")
    return s.startswith("{") and s.endswith("}") and "\r" not in s


def _strip_bom(line: str) -> str:
    return line[1:] if line.startswith("\ufeff") else line


def _finite(table: pa.Table) -> list[bool]:
    """Per row: no number field holds NaN or ±Infinity."""
    speed, conf = (pc.fill_null(pc.is_finite(table.column(f)), True) for f in ("speed_kmh", "confidence"))
    return pc.and_(speed, conf).to_pylist()


def parse_lines(lines: list[str]) -> pa.Array:
    """The fields of each line as a struct array, NULL where pyarrow did not parse the line.

    pyarrow reads a block of lines or none: a line it rejects is left out and the others
    parsed again — found by the row its error names, or, for an error naming none (a number
    that does not fit the field's type), by halving the block; a line with NaN or Infinity
    is left out too (Spark reads those as text). After ``MAX_CALLS`` reads
    the lines not yet parsed stay NULL (Spark parses them in silver)."""
    n = len(lines)
    parts: list[tuple[list[int], pa.Table]] = []
    todo = [[i for i in range(n) if _candidate(lines[i])]]
    calls = 0
    while todo and calls < MAX_CALLS:
        idx = todo.pop()
        if not idx:
            continue
        calls += 1
        text = "\n".join(_strip_bom(lines[i]) for i in idx).encode()
        try:
            table = pj.read_json(pa.BufferReader(text), parse_options=_PARSE,
                                 read_options=pj.ReadOptions(use_threads=False, block_size=len(text) + 1))
        except pa.ArrowInvalid as exc:
            m = _ROW.search(str(exc))
            if m and int(m.group(1)) < len(idx):
                bad = int(m.group(1))
                todo.append(idx[:bad] + idx[bad + 1:])
            elif len(idx) > 1:
                todo += [idx[:len(idx) // 2], idx[len(idx) // 2:]]
            continue
        if table.num_rows == len(idx):
            # NaN and Infinity: pyarrow reads them as numbers, Spark as text that is not one
            # — those lines go to Spark's parser, so they end as they always have
            finite = _finite(table)
            if not all(finite):
                todo.append([i for i, ok in zip(idx, finite) if ok])
                continue
            parts.append((idx, table))
        elif len(idx) > 1:   # rows and lines do not pair up: find the line by halving
            todo += [idx[:len(idx) // 2], idx[len(idx) // 2:]]
    if not parts:
        return pa.nulls(n, PARSED_TYPE)
    got = pa.concat_tables([t.select(list(FIELDS)) for _, t in parts]).combine_chunks()
    rows = pa.StructArray.from_arrays([got.column(f).chunk(0) if got.column(f).num_chunks else
                                       pa.array([], PARSED_TYPE.field(f).type) for f in FIELDS],
                                      fields=list(PARSED_TYPE))
    take: list[int | None] = [None] * n   # each line's row among the parsed, NULL between
    row = 0
    for idx, _ in parts:
        for i in idx:
            take[i] = row
            row += 1
    return rows.take(pa.array(take, pa.int64()))


def read_file(path: str, source_file: str) -> pa.RecordBatch | None:
    """The lines of one landing file with their parsed fields, or None when the file is not
    plain whole gzip of UTF-8 text with at least one line (bronze then reads it with Spark)."""
    try:
        with open(path, "rb") as f:
            data = gzip.decompress(f.read())
        text = data.decode("utf-8")
    except (OSError, EOFError, zlib.error, UnicodeDecodeError):
        return None
    lines = _lines(text)
    if not lines:
        return None
    raw = [s for _, s in lines]
    return pa.RecordBatch.from_arrays(
        [pa.array([source_file] * len(lines), pa.string()), pa.array([i for i, _ in lines], pa.int32()),
         pa.array(raw, pa.string()), parse_lines(raw)], schema=SCHEMA)


def read_batches(batches: Iterator[pa.RecordBatch]) -> Iterator[pa.RecordBatch]:
    """For ``mapInArrow``: rows of (path, source_file) in, the lines of those files out."""
    for batch in batches:
        for path, source_file in zip(batch.column("path").to_pylist(), batch.column("source_file").to_pylist()):
            out = read_file(path, source_file)
            if out is not None:
                yield out
