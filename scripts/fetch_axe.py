"""Fetch axe-core from the npm registry at a pinned version and verify its checksum."""

from __future__ import annotations

import sys

from npm_fetch import REPO, install

AXE_VERSION = "4.14.1"
AXE_SHA256 = "29348999450cdf2849a8e70b7912fc2da85a849da39c0d0d5394f51d4a9ed95c"
TARGET = REPO / "tests" / "browser" / "vendor" / "axe.min.js"


def main() -> int:
    """Install tests/browser/vendor/axe.min.js unless the verified file is already there."""
    return install("axe-core", "axe-core", AXE_VERSION, "axe.min.js", AXE_SHA256, TARGET)


if __name__ == "__main__":
    sys.exit(main())
