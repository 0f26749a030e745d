"""How responses travel: static files under fingerprinted URLs, bodies over ~1 KB compressed.

A static URL carries the digest of the file's bytes (`/static/kb.css?v=3f2a…`), so a browser may
keep it forever (`immutable`): a changed file gets a new URL. A request whose `v` is not the
current digest (an old page, a hand-written URL) is still served, but must be revalidated.
"""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

from flask import Flask, Response, current_app, request
from flask_compress import Compress

FINGERPRINT = "v"
FOREVER = "public, max-age=31536000, immutable"
REVALIDATE = "no-cache"
# Bodies smaller than this gain too little to pay for the encoder.
COMPRESS_MIN_BYTES = 1024
COMPRESSIBLE = [
    "text/html",
    "text/css",
    "text/csv",
    "text/plain",
    "text/xml",
    "application/json",
    "application/javascript",
    "text/javascript",
    "application/opensearchdescription+xml",
    "image/svg+xml",
]

_compress = Compress()


class Fingerprints:
    """The digests of the static files, read once per file version (size and mtime)."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self._known: dict[str, tuple[int, int, str]] = {}

    def of(self, filename: str) -> str | None:
        """Return the digest of a static file, or None when there is no such file."""
        path = (self.folder / filename).resolve()
        if not path.is_relative_to(self.folder) or not path.is_file():
            return None
        stat = path.stat()
        known = self._known.get(filename)
        if known is not None and known[:2] == (stat.st_size, stat.st_mtime_ns):
            return known[2]
        digest = hashlib.sha256(path.read_bytes()).hexdigest()[:16]
        self._known[filename] = (stat.st_size, stat.st_mtime_ns, digest)
        return digest


def _fingerprints() -> Fingerprints:
    found: Fingerprints = current_app.extensions["kb.fingerprints"]
    return found


def add_fingerprint(endpoint: str, values: dict[str, Any]) -> None:
    """Put the file's digest into every URL built for a static file."""
    if endpoint == "static" and "filename" in values and FINGERPRINT not in values:
        digest = _fingerprints().of(str(values["filename"]))
        if digest is not None:
            values[FINGERPRINT] = digest


def cache_static(response: Response) -> Response:
    """Let browsers keep a fingerprinted static file for good, and revalidate anything else."""
    if request.endpoint != "static" or response.status_code not in (200, 304):
        return response
    filename = (request.view_args or {}).get("filename", "")
    current = _fingerprints().of(str(filename))
    wanted = request.args.get(FINGERPRINT)
    response.headers["Cache-Control"] = FOREVER if wanted and wanted == current else REVALIDATE
    return response


def init_app(app: Flask) -> None:
    """Fingerprint static URLs and compress what is worth compressing."""
    assert app.static_folder is not None
    app.extensions["kb.fingerprints"] = Fingerprints(Path(app.static_folder).resolve())
    app.url_defaults(add_fingerprint)
    app.after_request(cache_static)
    app.config.setdefault("COMPRESS_MIN_SIZE", COMPRESS_MIN_BYTES)
    app.config.setdefault("COMPRESS_MIMETYPES", COMPRESSIBLE)
    # Brotli and zstd at their fast levels: a search answer must not wait on the encoder.
    app.config.setdefault("COMPRESS_BR_LEVEL", 4)
    app.config.setdefault("COMPRESS_ZSTD_LEVEL", 3)
    app.config.setdefault("COMPRESS_REGISTER", True)
    _compress.init_app(app)
