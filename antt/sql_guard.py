"""Which SQL statements Superset may send to the Spark Thrift server.

Superset checks every table a statement names against the user's schema access, but it
qualifies unqualified names with the query's default schema. Spark keeps `USE` and `SET`
for the rest of the session, so `USE bronze; SELECT * FROM camera_events` passed
Superset's check (it saw gold.camera_events) and read bronze — measured on Superset 6.1.
superset_config.py's SQL_QUERY_MUTATOR calls `check_statements` on every statement it
sends (SQL Lab, charts, datasets); anything but a read is refused with a reason.

Pure Python, no Superset import, so the rule is unit-tested on its own.
"""
from __future__ import annotations

import re

# A statement may start with these keywords only: reads, and DESCRIBE of a table (Superset
# checks its table like a SELECT's). Not EXPLAIN: Superset does not check the tables of the
# statement inside it (EXPLAIN SELECT * FROM bronze.x printed bronze's plan), nor SHOW.
ALLOWED_FIRST_WORDS = frozenset({"SELECT", "WITH", "VALUES", "TABLE", "DESCRIBE", "DESC"})


class SqlGuardError(ValueError):
    """A statement Superset must not send; the message says which and why (Vietnamese + English)."""


_TOKEN = re.compile(
    r"""--[^\n]*            # line comment
      | /\*.*?\*/           # block comment
      | '(?:[^'\\]|\\.)*'   # string literal
      | "(?:[^"\\]|\\.)*"   # double-quoted string
      | `(?:[^`]|``)*`      # quoted identifier
    """, re.S | re.X)


def _blank_literals(sql: str) -> str:
    """Comments removed and quoted text replaced by a placeholder, so ';' and keywords
    inside them do not count."""
    def repl(m: re.Match[str]) -> str:
        text = m.group(0)
        return " " if text.startswith(("--", "/*")) else "_q_"
    return _TOKEN.sub(repl, sql)


def statements(sql: str) -> list[str]:
    """The statements of a script (comments and literals blanked), empty ones dropped."""
    return [s.strip() for s in _blank_literals(sql).split(";") if s.strip()]


def first_word(statement: str) -> str:
    m = re.match(r"\s*\(*\s*([A-Za-z_]+)", statement)
    return m.group(1).upper() if m else ""


def check_statements(sql: str) -> None:
    """Raise SqlGuardError unless every statement of `sql` is a read."""
    for statement in statements(sql):
        word = first_word(statement)
        if word not in ALLOWED_FIRST_WORDS:
            shown = re.sub(r"\s+", " ", statement)[:80]
            raise SqlGuardError(
                f"Chỉ được phép truy vấn đọc (SELECT). Câu lệnh {word or '?'} bị từ chối: "
                f"«{shown}». Only reads (SELECT, WITH, VALUES, DESCRIBE) are allowed: USE and SET "
                "would move the shared Spark session past Superset's table checks, DDL/DML would "
                "change data, EXPLAIN/SHOW are not checked; name tables with their schema "
                "(gold.<table>).")
