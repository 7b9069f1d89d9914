"""The Thrift server's class path (pyspark's jars + .jars/, as infra/services.sh builds it)
holds what Hive needs when a session closes: Hive's FunctionRegistry, initialised on the
first close in a fresh worker thread, loads GenericUDTFGetSplits, whose LLAP classes Spark
4.0 no longer ships (NoClassDefFoundError: org/apache/hadoop/hive/llap/security/
LlapSigner$Signable failed a dbt statement in `make bench`)."""
from __future__ import annotations

import subprocess
from pathlib import Path

import pyspark
from spark_jobs.config import settings

PROBE = """public class Probe { public static void main(String[] a) throws Exception {
  Class.forName("org.apache.hadoop.hive.ql.exec.FunctionRegistry"); System.out.println("ok"); } }
"""
# what spark-submit opens for the driver on Java 17 (Hive's string interning needs java.net)
OPENS = [f"--add-opens=java.base/{m}=ALL-UNNAMED" for m in ("java.lang", "java.net", "java.util", "java.nio")]


def test_hive_function_registry_initialises_on_the_thrift_class_path(tmp_path: Path):
    (tmp_path / "Probe.java").write_text(PROBE)
    subprocess.run(["javac", "-d", str(tmp_path), str(tmp_path / "Probe.java")], check=True)
    spark_jars = Path(pyspark.__file__).parent / "jars"
    classpath = ":".join([str(tmp_path), f"{spark_jars}/*", f"{settings().jars_dir}/*"])
    out = subprocess.run(["java", *OPENS, "-cp", classpath, "Probe"], capture_output=True, text=True)
    assert out.returncode == 0 and out.stdout.strip() == "ok", out.stderr[-2000:]
