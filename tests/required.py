"""Which kinds of test may not be skipped in this run, so CI cannot skip its way to green.

KB_REQUIRE lists them, comma-separated (`browser`, `axe`, `corpus`, `tmpfs`); `.ci/run` sets it.
When CI=true and KB_REQUIRE is unset, browser, axe and corpus tests are required. A required test
that cannot run fails with the reason; any other skips with it.
"""

from __future__ import annotations

import os
from typing import NoReturn

import pytest

CI_REQUIRES = "browser,axe,corpus"


def required() -> frozenset[str]:
    """Return the kinds of test this run may not skip."""
    listed = os.environ.get("KB_REQUIRE")
    if listed is None and os.environ.get("CI", "").lower() in {"true", "1", "yes"}:
        listed = CI_REQUIRES
    return frozenset(kind.strip() for kind in (listed or "").split(",") if kind.strip())


def cannot_run(kind: str, reason: str) -> NoReturn:
    """Skip with the reason, or fail with it when this run requires tests of this kind."""
    if kind in required():
        source = "KB_REQUIRE" if "KB_REQUIRE" in os.environ else "CI=true"
        pytest.fail(f"{reason} ({kind} tests are required by {source}, so this fails)", False)
    pytest.skip(reason)
