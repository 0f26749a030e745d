"""Fetch htmx from the npm registry at a pinned version and verify its checksum."""

from __future__ import annotations

import sys

from npm_fetch import REPO, install

HTMX_VERSION = "2.0.11"
HTMX_SHA256 = "d6fdc75f204e6bdefa99b69bf1e6d4ac69b8a364f77929f45c13476b4000f717"
TARGET = REPO / "static" / "vendor" / "htmx.min.js"


def main() -> int:
    """Install static/vendor/htmx.min.js unless the verified file is already there."""
    return install("htmx", "htmx.org", HTMX_VERSION, "dist/htmx.min.js", HTMX_SHA256, TARGET)


if __name__ == "__main__":
    sys.exit(main())
