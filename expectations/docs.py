"""Rebuild the GX Data Docs and print where their index is.

    python -m expectations.docs            # rebuild, print the file:// URL and the path
    python -m expectations.docs --no-build # only print where they are

The docs are static HTML in the GX file context (``$ANTT_VAR_DIR/gx``, see
``expectations.gate.gx_dir``): open the printed URL in a browser on this machine, or serve
the directory (``python -m http.server -d <dir>``).
"""
from __future__ import annotations

import argparse
from urllib.parse import unquote, urlparse

import expectations  # noqa: F401  (sets GX_ANALYTICS_ENABLED before GX is imported)
from expectations.gate import docs_index, gx_dir, locked_context


def locate(build: bool = True, gx_root: str | None = None) -> tuple[str, str]:
    """Return (url, local path) of the Data Docs index, rebuilding the docs first."""
    with locked_context(gx_dir(gx_root)) as context:
        if build:
            context.build_data_docs()
        url = docs_index(context)
    path = unquote(urlparse(url).path) if url.startswith("file://") else url
    return url, path


def main(argv: list[str] | None = None) -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--no-build", action="store_true", help="do not rebuild, only print the location")
    p.add_argument("--gx-dir", default=None, help="GX project root (default $ANTT_VAR_DIR/gx)")
    args = p.parse_args(argv)
    url, path = locate(build=not args.no_build, gx_root=args.gx_dir)
    print(url)
    print(path)


if __name__ == "__main__":
    main()
