"""Fetch htmx from the npm registry at a pinned version and verify its checksum."""

from __future__ import annotations

import hashlib
import shutil
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path

HTMX_VERSION = "2.0.11"
HTMX_SHA256 = "d6fdc75f204e6bdefa99b69bf1e6d4ac69b8a364f77929f45c13476b4000f717"
TARGET = Path(__file__).resolve().parent.parent / "static" / "vendor" / "htmx.min.js"


def sha256(path: Path) -> str:
    """Return the hex SHA-256 of a file."""
    return hashlib.sha256(path.read_bytes()).hexdigest()


def main() -> int:
    """Install static/vendor/htmx.min.js unless the verified file is already there."""
    if TARGET.exists() and sha256(TARGET) == HTMX_SHA256:
        return 0
    npm = shutil.which("npm")
    if npm is None:
        print("npm is not installed: cannot fetch htmx", file=sys.stderr)
        return 1
    with tempfile.TemporaryDirectory() as tmp:
        subprocess.run(
            [npm, "pack", f"htmx.org@{HTMX_VERSION}", "--silent"],
            cwd=tmp,
            check=True,
            stdout=subprocess.DEVNULL,
        )
        tarball = Path(tmp) / f"htmx.org-{HTMX_VERSION}.tgz"
        with tarfile.open(tarball) as tar:
            member = tar.getmember("package/dist/htmx.min.js")
            extracted = tar.extractfile(member)
            if extracted is None:
                raise SystemExit("htmx.min.js missing from the package")
            data = extracted.read()
    if hashlib.sha256(data).hexdigest() != HTMX_SHA256:
        print("htmx checksum mismatch: refusing to install it", file=sys.stderr)
        return 1
    TARGET.parent.mkdir(parents=True, exist_ok=True)
    TARGET.write_bytes(data)
    print(f"htmx {HTMX_VERSION} installed in {TARGET}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
