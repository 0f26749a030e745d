"""Install one file from an npm package at a pinned version, only when its checksum matches."""

from __future__ import annotations

import hashlib
import shutil
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent


def sha256(data: bytes) -> str:
    """Return the hex SHA-256 of some bytes."""
    return hashlib.sha256(data).hexdigest()


def packed_file(npm: str, package: str, version: str, member: str) -> bytes | str:
    """Return one file of `npm pack package@version`, or a problem string when it cannot be had."""
    with tempfile.TemporaryDirectory() as tmp:
        packed = subprocess.run(
            [npm, "pack", f"{package}@{version}", "--silent"],
            cwd=tmp,
            check=False,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
        )
        # npm names the tarball after the package, without any scope's "@" and with "/" as "-".
        tarball = Path(tmp) / f"{package.lstrip('@').replace('/', '-')}-{version}.tgz"
        if packed.returncode != 0 or not tarball.exists():
            reason = packed.stderr.strip().splitlines()[-1:] or ["no tarball"]
            return f"npm pack {package}@{version} failed: {reason[0]}"
        with tarfile.open(tarball) as tar:
            try:
                extracted = tar.extractfile(tar.getmember(f"package/{member}"))
            except KeyError:
                extracted = None
            if extracted is None:
                return f"{Path(member).name} missing from the {package} package"
            return extracted.read()


def install(label: str, package: str, version: str, member: str, digest: str, target: Path) -> int:
    """Install `member` of the pinned package at `target` unless the verified file is there; return an exit status."""
    if target.exists() and sha256(target.read_bytes()) == digest:
        return 0
    npm = shutil.which("npm")
    if npm is None:
        print(f"npm is not installed: cannot fetch {label}", file=sys.stderr)
        return 1
    data = packed_file(npm, package, version, member)
    if isinstance(data, str):
        print(data, file=sys.stderr)
        return 1
    if sha256(data) != digest:
        print(f"{label} checksum mismatch: refusing to install it", file=sys.stderr)
        return 1
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(data)
    print(f"{label} {version} installed in {target}")
    return 0
