"""antt/sql_guard.py: the statements Superset may send to the shared Thrift session."""
import pytest

from antt.sql_guard import SqlGuardError, check_statements, statements


@pytest.mark.parametrize("sql", [
    "SELECT 1",
    "  with x as (select 1) select * from x",
    "(SELECT 1) UNION (SELECT 2)",
    "/* header */ SELECT a FROM gold.t; -- trailing comment",
    "SELECT 'USE bronze; SET x=1' AS text",
    "SELECT `weird;name` FROM gold.t",
    "DESCRIBE gold.dim_commune",
    "VALUES (1), (2)",
])
def test_reads_pass(sql):
    check_statements(sql)


@pytest.mark.parametrize("sql, word", [
    ("USE bronze", "USE"),
    ("USE bronze;\nSELECT count(*) FROM camera_events", "USE"),
    ("SELECT 1; SET spark.sql.shuffle.partitions=1", "SET"),
    ("-- comment first\nset x = 1", "SET"),
    ("/* SELECT */ DROP TABLE gold.dim_commune", "DROP"),
    ("INSERT INTO gold.t SELECT 1", "INSERT"),
    ("EXPLAIN SELECT * FROM bronze.camera_events", "EXPLAIN"),
    ("SHOW TABLES IN bronze", "SHOW"),
    ("CREATE TEMPORARY VIEW v AS SELECT * FROM bronze.camera_events", "CREATE"),
])
def test_other_statements_are_refused_by_name(sql, word):
    with pytest.raises(SqlGuardError, match=rf"Câu lệnh {word} bị từ chối"):
        check_statements(sql)


def test_semicolons_inside_literals_and_comments_do_not_split():
    assert statements("SELECT ';' AS a -- ; x\n; SELECT 2") == ["SELECT _q_ AS a", "SELECT 2"]
