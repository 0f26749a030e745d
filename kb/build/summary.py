"""What one `kb index` run did: the summary it prints, as text or JSON, and its phase timings."""

from __future__ import annotations

import contextlib
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from kb.build.page import Rejection


@dataclass
class BuildSummary:
    """What a run did: counts, rejected files with reasons, problems, seconds."""

    generation: str = ""
    mode: str = "full"
    indexed: int = 0
    unchanged: int = 0
    removed: int = 0
    rejected: list[tuple[str, str]] = field(default_factory=list)
    problems: list[tuple[str, str]] = field(default_factory=list)
    pages: int = 0
    seconds: float = 0.0
    notes: list[str] = field(default_factory=list)
    derived: str = "full"  # "delta" when generation-wide data was updated by delta
    phases: dict[str, float] = field(default_factory=dict)  # seconds, in the order run
    tracebacks: dict[str, str] = field(default_factory=dict)  # rejected path: stack, for --debug

    def reject(self, rejection: Rejection) -> None:
        """Count a page that could not be indexed, with its reason."""
        self.rejected.append((rejection.path, rejection.reason))
        if rejection.traceback:
            self.tracebacks[rejection.path] = rejection.traceback

    def to_dict(self) -> dict[str, Any]:
        """Return the summary as JSON-ready data (tracebacks left out: see `tracebacks`)."""
        return {
            "generation": self.generation,
            "mode": self.mode,
            "indexed": self.indexed,
            "unchanged": self.unchanged,
            "removed": self.removed,
            "rejected": [{"path": p, "reason": r} for p, r in self.rejected],
            "problems": [{"path": p, "problem": r} for p, r in self.problems],
            "pages": self.pages,
            "seconds": round(self.seconds, 3),
            "notes": list(self.notes),
            "derived": self.derived,
            "phases": {name: round(seconds, 3) for name, seconds in self.phases.items()},
        }

    @contextlib.contextmanager
    def phase(self, name: str) -> Iterator[None]:
        """Time a phase of the run into `phases` (bench/incremental_scale.py reports them)."""
        started = time.perf_counter()
        try:
            yield
        finally:
            self.phases[name] = self.phases.get(name, 0.0) + time.perf_counter() - started
