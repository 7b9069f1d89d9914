"""Benchmarks (`make bench`): every figure measured in the same run and printed as one table.

Slow on purpose (a Hanoi-scale day is tens of millions of plate reads); it runs against its
own Spark application on other ports under ``var/bench`` (infra/bench.sh), never against the
lakehouse of the running stack. Not part of ``make test``: tests never time anything.
"""
