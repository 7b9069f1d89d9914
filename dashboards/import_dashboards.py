#!/usr/bin/env python
"""Import the dashboards-as-code bundle in dashboards/assets/ into Superset.

Run with the Superset virtualenv's python, after `source infra/env.sh`:

    .venv/superset/bin/python dashboards/import_dashboards.py [--username admin]
                                                              [--zip-out FILE]

What it does:
  1. reads every YAML under dashboards/assets/ (Superset's export layout: one
     file per object, linked by UUID, no passwords);
  2. rewrites the host/port of each database's sqlalchemy_uri from
     SPARK_THRIFT_HOST / SPARK_THRIFT_PORT (the files say 127.0.0.1:10000);
  3. packs them into a ZIP under one root folder, as Superset exports do, and
     reads it back with Superset's own get_contents_from_bundle();
  4. runs Superset's ImportAssetsCommand as the given user. That command is
     the one behind POST /api/v1/assets/import/: it overwrites databases,
     datasets, charts and dashboards by UUID, so a re-import is safe and
     applies every change in the files. (ImportDashboardsCommand, behind
     `superset import-dashboards`, overwrites only the dashboard itself and
     keeps an existing database/dataset/chart unchanged; use --command
     dashboards to get that behaviour.)
"""

from __future__ import annotations

import argparse
import io
import os
import sys
import zipfile
from pathlib import Path
from typing import Any

import yaml

ASSETS_DIR = Path(__file__).resolve().parent / "assets"
BUNDLE_ROOT = "antt_dashboards_export"


def _fail(message: str) -> None:
    print(f"import_dashboards: LỖI / ERROR: {message}", file=sys.stderr)
    sys.exit(1)


def thrift_endpoint() -> tuple[str, int]:
    host = os.environ.get("SPARK_THRIFT_HOST", "127.0.0.1").strip() or "127.0.0.1"
    port_text = os.environ.get("SPARK_THRIFT_PORT", "10000").strip() or "10000"
    try:
        port = int(port_text)
    except ValueError:
        _fail(f"SPARK_THRIFT_PORT must be a number, got {port_text!r}")
    return host, port


# The password of a database's user comes from the environment (var/secrets.env), by user.
PASSWORD_ENV = {"audit_reader": "AUDIT_READER_DB_PASSWORD"}
PASSWORD_MASK = "X" * 10   # superset.constants.PASSWORD_MASK


def rewrite_database_uri(uri: str, host: str, port: int) -> str:
    """Replace host and port of a database URI, keep everything else."""
    from sqlalchemy.engine.url import make_url  # superset venv has SQLAlchemy

    url = make_url(uri)
    if url.password:
        _fail("a database YAML contains a password; remove it (dashboards as code hold none)")
    return str(url.set(host=host, port=port))


def endpoint_for(uri: str, thrift: tuple[str, int]) -> tuple[str, int]:
    """hive:// → the Spark Thrift server; postgresql → PGHOST/PGPORT."""
    if uri.startswith("postgresql"):
        return (os.environ.get("PGHOST", "127.0.0.1"), int(os.environ.get("PGPORT", "5433")))
    return thrift


def load_assets(assets_dir: Path, host: str, port: int) -> tuple[dict[str, str], dict[str, str]]:
    """Return ({relative path: YAML text} with database URIs rewritten,
    {database file: password} for the databases whose user needs one)."""
    if not (assets_dir / "metadata.yaml").is_file():
        _fail(f"{assets_dir}/metadata.yaml not found")
    files: dict[str, str] = {}
    passwords: dict[str, str] = {}
    for path in sorted(assets_dir.rglob("*.yaml")):
        rel = path.relative_to(assets_dir).as_posix()
        text = path.read_text(encoding="utf-8")
        if rel.startswith("databases/"):
            config: dict[str, Any] = yaml.safe_load(text)
            from sqlalchemy.engine.url import make_url

            uri = config["sqlalchemy_uri"]
            uri = rewrite_database_uri(uri, *endpoint_for(uri, (host, port)))
            env = PASSWORD_ENV.get(make_url(uri).username or "")
            if env:
                if not os.environ.get(env):
                    _fail(f"{rel}: {env} is not set (var/secrets.env; run make setup)")
                passwords[rel] = os.environ[env]
                # Superset keeps the given password only when the URI carries its mask, as
                # its own exports do (a URI without one sets the password to none)
                uri = make_url(uri).set(password=PASSWORD_MASK).render_as_string(hide_password=False)
            config["sqlalchemy_uri"] = uri
            text = yaml.safe_dump(config, allow_unicode=True, sort_keys=False)
        files[rel] = text
    return files, passwords


def build_zip(files: dict[str, str]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as bundle:
        for rel, text in files.items():
            bundle.writestr(f"{BUNDLE_ROOT}/{rel}", text.encode("utf-8"))
    return buffer.getvalue()


def run_import(zip_bytes: bytes, username: str, command: str,
               passwords: dict[str, str] | None = None) -> None:
    from superset.app import create_app

    app = create_app()
    with app.app_context():
        # pylint: disable=import-outside-toplevel
        from superset import security_manager
        from superset.commands.dashboard.importers.dispatcher import (
            ImportDashboardsCommand,
        )
        from superset.commands.importers.v1.assets import ImportAssetsCommand
        from superset.commands.importers.v1.utils import get_contents_from_bundle
        from superset.utils.core import override_user

        user = security_manager.find_user(username=username)
        if user is None:
            _fail(f"Superset user {username!r} does not exist (run bootstrap.sh first)")

        with zipfile.ZipFile(io.BytesIO(zip_bytes)) as bundle:
            contents = get_contents_from_bundle(bundle)

        with override_user(user):
            try:
                if command == "assets":
                    ImportAssetsCommand(contents, passwords=passwords or {}).run()
                else:
                    ImportDashboardsCommand(contents, overwrite=True,
                                            passwords=passwords or {}).run()
            except Exception as ex:  # surface Superset's validation messages
                details = getattr(ex, "normalized_messages", None)
                extra = f": {details()}" if callable(details) else ""
                _fail(f"Superset refused the bundle ({type(ex).__name__}: {ex}){extra}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--username", "-u", default="admin",
                        help="Superset user that will own the objects (default: admin)")
    parser.add_argument("--assets", default=str(ASSETS_DIR),
                        help="assets folder (default: dashboards/assets)")
    parser.add_argument("--zip-out", metavar="FILE",
                        help="also write the bundle to FILE (for the UI or "
                             "`superset import-dashboards -p FILE -u admin`)")
    parser.add_argument("--no-import", action="store_true",
                        help="only build the bundle (with --zip-out)")
    parser.add_argument("--command", choices=("assets", "dashboards"), default="assets",
                        help="assets: overwrite every object (default); dashboards: "
                             "Superset's ImportDashboardsCommand(overwrite=True)")
    args = parser.parse_args(argv)

    host, port = thrift_endpoint()
    files, passwords = load_assets(Path(args.assets), host, port)
    counts = {kind: sum(1 for rel in files if rel.startswith(f"{kind}/"))
              for kind in ("databases", "datasets", "charts", "dashboards")}
    print(f"import_dashboards: {len(files)} files "
          + ", ".join(f"{n} {kind}" for kind, n in counts.items())
          + f"; Spark Thrift at {host}:{port}")

    zip_bytes = build_zip(files)
    if args.zip_out:
        Path(args.zip_out).write_bytes(zip_bytes)
        print(f"import_dashboards: wrote {args.zip_out}")
    if args.no_import:
        return 0

    run_import(zip_bytes, args.username, args.command, passwords)
    print(f"import_dashboards: imported as {args.username!r} ({args.command}); OK")
    return 0


if __name__ == "__main__":
    sys.exit(main())
