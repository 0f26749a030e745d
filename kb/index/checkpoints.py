"""A test hook marking the phases of an index run, so a fault test can kill -9 it at an exact one.

Does nothing unless `KB_CHECKPOINT_FILE` is set: then each phase appends its name to that file,
and the phase named by `KB_CHECKPOINT_PAUSE` waits there (up to PAUSE_SECONDS) to be killed.
"""

from __future__ import annotations

import os
import time

FILE_VARIABLE = "KB_CHECKPOINT_FILE"
PAUSE_VARIABLE = "KB_CHECKPOINT_PAUSE"
PAUSE_SECONDS = 30.0
PHASES = ("walk", "parse", "write", "commit", "switch")
_paused: set[str] = set()


def checkpoint(name: str) -> None:
    """Record that the run reached a phase and, when a test asked for it, pause there."""
    path = os.environ.get(FILE_VARIABLE)
    if not path:
        return
    with open(path, "a", encoding="utf-8") as handle:
        handle.write(name + "\n")  # closing hands it to the kernel: a kill -9 cannot lose it
    if os.environ.get(PAUSE_VARIABLE) == name and name not in _paused:
        _paused.add(name)  # a phase reached once per page pauses only the first time
        time.sleep(PAUSE_SECONDS)
