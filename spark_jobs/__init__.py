"""Spark jobs of the ANTT Lakehouse: landing → bronze → silver, run by Airflow DAGs.

Every job opens its session through :func:`spark_jobs.session.get_spark`.
"""
