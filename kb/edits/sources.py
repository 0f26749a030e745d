"""A page's bytes as editable text, and back to exactly the same bytes.

Edits work on the decoded text with its line endings kept (CRLF stays CRLF), so every byte an
edit does not touch round-trips: the BOM is set aside and put back, and text that is not valid
UTF-8 is refused rather than repaired.
"""

from __future__ import annotations

import os
import tempfile
from dataclasses import dataclass
from pathlib import Path

BOM = "\ufeff"


class EditRefused(Exception):
    """A page an edit will not touch; the message says why."""


@dataclass(frozen=True)
class EditableText:
    """A page's text without its BOM (line endings as in the file) and whether it had one."""

    text: str
    bom: bool

    def encode(self, text: str) -> bytes:
        """Return the bytes of an edited text, with the BOM put back when the file had one."""
        return ((BOM if self.bom else "") + text).encode("utf-8")


def decode_for_edit(raw: bytes) -> EditableText:
    """Decode a page for editing, or refuse one whose bytes would not survive the round trip."""
    if b"\x00" in raw:
        raise EditRefused("binary file (contains NUL bytes)")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise EditRefused(f"invalid UTF-8 at byte {exc.start}; not edited") from None
    if text.startswith(BOM):
        return EditableText(text[1:], True)
    return EditableText(text, False)


def read_for_edit(path: Path) -> tuple[bytes, EditableText]:
    """Read a page's bytes and its editable text, or refuse with the reason."""
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise EditRefused(f"cannot be read ({exc.strerror or exc})") from None
    return raw, decode_for_edit(raw)


def line_ending(text: str) -> str:
    """Return the line ending of a text's first line ("\\r\\n" or "\\n"; "\\n" for one line)."""
    end = text.find("\n")
    return "\r\n" if end > 0 and text[end - 1] == "\r" else "\n"


def write_atomically(path: Path, data: bytes) -> None:
    """Replace a file's content in one rename, keeping its permission bits.

    The new bytes go to a temporary file in the same folder first, so a crash leaves either the
    old file or the new one, never half of each.
    """
    path = path.resolve()  # through a symlink to the page it names, which stays a symlink
    mode = path.stat().st_mode & 0o7777
    handle, temp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".kb-edit", dir=path.parent)
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(data)
            out.flush()
            os.fsync(out.fileno())
        os.chmod(temp, mode)
        os.replace(temp, path)
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise


@dataclass(frozen=True)
class Edit:
    """One page's planned edit: its bytes before and after, or why it was refused."""

    path: Path
    old: bytes
    new: bytes | None = None
    refused: str | None = None
    note: str = ""

    @property
    def changes(self) -> bool:
        """Tell whether the edit changes the file."""
        return self.new is not None and self.new != self.old
