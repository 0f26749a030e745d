"""Segment files read in place from their memory map, shared by every reader and worker.

Whoosh opens each file of a compound segment as a BufferFile over a slice of the segment's mmap,
and BufferFile wraps the slice in a BytesIO, which copies it: every reader of a generation held
its own anonymous copy of the terms, postings and stored fields (150 MiB a reader at 10x). The
file below reads the slice where it lies, so those pages stay file-backed and shared.
"""

from __future__ import annotations

import os
from typing import Any, BinaryIO, cast

from whoosh.filedb import compound
from whoosh.filedb.structfile import BufferFile

PEEK_BYTES = 4096  # a stored-fields pickle is a few hundred bytes; pickle asks for 128 KiB


class ViewReader:
    """A read-only file over a memoryview: read, readline, seek and tell without copying it."""

    def __init__(self, view: memoryview) -> None:
        """Start reading at the view's first byte."""
        self._view = view
        self._pos = 0

    def read(self, size: int | None = -1) -> bytes:
        """Return up to `size` bytes from the position (all the rest when negative or None)."""
        start = self._pos
        end = len(self._view) if size is None or size < 0 else min(start + size, len(self._view))
        self._pos = max(end, start)
        return bytes(self._view[start:end])

    def peek(self, size: int = 0) -> bytes:
        """Return bytes from the position without moving it: the C unpickler reads ahead with
        this, then skips what it used with one read, instead of calling read once per field."""
        return bytes(self._view[self._pos : self._pos + PEEK_BYTES])

    def readinto(self, target: Any) -> int:
        """Fill a writable buffer from the position; return how many bytes were copied."""
        chunk = self.read(len(memoryview(target).cast("B")))
        memoryview(target).cast("B")[: len(chunk)] = chunk
        return len(chunk)

    def readline(self, size: int | None = -1) -> bytes:
        """Return the bytes up to and including the next newline (or `size` of them)."""
        limit = (
            len(self._view) if size is None or size < 0 else min(len(self._view), self._pos + size)
        )
        start = end = self._pos
        while end < limit:  # in small steps: a line is short, the rest of the file may be long
            step = min(end + 256, limit)
            newline = bytes(self._view[end:step]).find(b"\n")
            if newline >= 0:
                end += newline + 1
                break
            end = step
        self._pos = end
        return bytes(self._view[start:end])

    def __iter__(self) -> Any:
        """Yield the lines from the position on."""
        while line := self.readline():
            yield line

    def seek(self, offset: int, whence: int = os.SEEK_SET) -> int:
        """Move the position like a file does; return the new position."""
        base = {os.SEEK_SET: 0, os.SEEK_CUR: self._pos, os.SEEK_END: len(self._view)}[whence]
        if base + offset < 0:
            raise ValueError(f"negative seek position {base + offset}")
        self._pos = base + offset
        return self._pos

    def tell(self) -> int:
        """Return the position."""
        return self._pos

    def close(self) -> None:
        """Drop the view (the BufferFile releases it)."""
        self._view = memoryview(b"")


class MappedFile(BufferFile):
    """A BufferFile that reads its slice of the segment's mmap in place instead of copying it."""

    def __init__(self, buf: Any, name: str | None = None, onclose: Any = None) -> None:
        """Wrap a buffer (a memoryview of the segment's mmap) without copying it."""
        super().__init__(b"", name=name, onclose=onclose)
        self._buf = buf
        view = buf if isinstance(buf, memoryview) else memoryview(buf)
        self.file = cast(BinaryIO, ViewReader(view))  # duck-typed: the reads StructFile makes


def read_segments_in_place() -> None:
    """Make compound segments open their files as MappedFile (idempotent)."""
    # CompoundStorage.open_file names BufferFile from its module's globals; rebinding that name
    # is the one hook Whoosh offers, and it changes nothing but where the bytes are read from.
    compound.BufferFile = MappedFile  # type: ignore[misc]
