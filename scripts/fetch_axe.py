"""Fetch axe-core from the npm registry at a pinned version and verify its checksum."""

from __future__ import annotations

import hashlib
import shutil
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path

AXE_VERSION = "4.14.1"
AXE_SHA256 = "29348999450cdf2849a8e70b7912fc2da85a849da39c0d0d5394f51d4a9ed95c"
TARGET = Path(__file__).resolve().parent.parent / "tests" / "browser" / "vendor" / "axe.min.js"


def sha256(path: Path) -> str:
    """Return the hex SHA-256 of a file."""
    return hashlib.sha256(path.read_bytes()).hexdigest()


def main() -> int:
    """Install tests/browser/vendor/axe.min.js unless the verified file is already there."""
    if TARGET.exists() and sha256(TARGET) == AXE_SHA256:
        return 0
    npm = shutil.which("npm")
    if npm is None:
        print("npm is not installed: cannot fetch axe-core", file=sys.stderr)
        return 1
    with tempfile.TemporaryDirectory() as tmp:
        packed = subprocess.run(
            [npm, "pack", f"axe-core@{AXE_VERSION}", "--silent"],
            cwd=tmp,
            check=False,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
        )
        tarball = Path(tmp) / f"axe-core-{AXE_VERSION}.tgz"
        if packed.returncode != 0 or not tarball.exists():
            reason = packed.stderr.strip().splitlines()[-1:] or ["no tarball"]
            print(f"npm pack axe-core@{AXE_VERSION} failed: {reason[0]}", file=sys.stderr)
            return 1
        with tarfile.open(tarball) as tar:
            try:
                extracted = tar.extractfile(tar.getmember("package/axe.min.js"))
            except KeyError:
                extracted = None
            if extracted is None:
                print("axe.min.js missing from the axe-core package", file=sys.stderr)
                return 1
            data = extracted.read()
    if hashlib.sha256(data).hexdigest() != AXE_SHA256:
        print("axe-core checksum mismatch: refusing to install it", file=sys.stderr)
        return 1
    TARGET.parent.mkdir(parents=True, exist_ok=True)
    TARGET.write_bytes(data)
    print(f"axe-core {AXE_VERSION} installed in {TARGET}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
