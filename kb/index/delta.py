"""Start an incremental generation's page store from the served one's without copying its rows.

The served store is either full (it becomes the new base, by hard link) or a delta over a base
(the base is linked again and the small delta copied, or, once the delta holds more than
COMPACT_ROWS rows, both are folded into a new full store). Either way no file of a
published generation is ever opened for writing, so sharing it by hard link is safe.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

from kb.index.store import BASE_FILE, STORE_FILE, PageStore

# A delta over this many rows is folded into a new full store: copying the delta forward costs
# its size on every run (about 20 KB a row), a full store costs a copy of every row once.
COMPACT_ROWS = 1000


def store_after(previous: Path, building: Path) -> PageStore:
    """Open the writable page store of a generation built on top of the previous one."""
    if not (previous / BASE_FILE).exists():
        _link(previous / STORE_FILE, building / BASE_FILE)
        store = PageStore(building, writable=True)
        try:
            store.carry_over()
        except BaseException:
            store.close()
            raise
        return store
    if _delta_rows(previous) > COMPACT_ROWS:
        store = PageStore(building, writable=True)
        try:
            store.compact_from(previous)
        except BaseException:
            store.close()
            raise
        return store
    _link(previous / BASE_FILE, building / BASE_FILE)
    shutil.copy2(previous / STORE_FILE, building / STORE_FILE)
    return PageStore(building, writable=True)


def copied_forward(previous: Path) -> list[str]:
    """Name the store files whose rows store_after() copies into new files (not links).

    Their checksums are verified before each run: a copy would otherwise be published with a
    fresh checksum over damaged bytes.
    """
    if not (previous / BASE_FILE).exists():
        return []
    return [STORE_FILE, BASE_FILE] if _delta_rows(previous) > COMPACT_ROWS else [STORE_FILE]


def _delta_rows(folder: Path) -> int:
    """Return how many rows a generation's store adds over its base."""
    store = PageStore(folder)
    try:
        return store.delta_rows()
    finally:
        store.close()


def _link(source: Path, target: Path) -> None:
    """Hard-link a file that is only ever read, or copy it where a link cannot be made."""
    try:
        os.link(source, target)
    except OSError:
        shutil.copy2(source, target)
