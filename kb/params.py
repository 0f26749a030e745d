"""Request parameters read the same way by every view and command: whole numbers and pages."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TypeVar

T = TypeVar("T")
NO_CEILING = 10**9  # far past any last page, which is what such a page number shows


class ParamError(ValueError):
    """A parameter that cannot be used; the message says what to send instead."""


def positive_int(name: str, text: str | None, default: int, ceiling: int = NO_CEILING) -> int:
    """Read a whole number from 1 up (default when empty); one past the ceiling is the ceiling.

    Raises ParamError for anything else: "0", "-1", "1.5", "two", "²" (which str.isdigit
    accepts and int() refuses).
    """
    raw = (text or "").strip()
    if not raw:
        return default
    digits = raw.lstrip("0")
    if not (raw.isascii() and raw.isdigit()) or not digits:
        bound = "up" if ceiling >= NO_CEILING else f"to {ceiling}"
        raise ParamError(f"{name} must be a whole number from 1 {bound}, not {raw[:40]!r}")
    # Compare lengths before int(): a 10,000-digit number would hit Python's conversion limit.
    return ceiling if len(digits) > len(str(ceiling)) else min(int(digits), ceiling)


def lenient_int(name: str, text: str | None, default: int, ceiling: int = NO_CEILING) -> int:
    """Read a whole number like positive_int, falling back to the default when it is not one."""
    try:
        return positive_int(name, text, default, ceiling)
    except ParamError:
        return default


def clamp(value: object, low: int, high: int, default: int) -> int:
    """Read an int a caller passed (any type), falling back to a default, clamped into range."""
    try:
        number = int(value)  # type: ignore[call-overload]
    except (TypeError, ValueError, OverflowError):
        return default
    return max(low, min(high, number))


def paginate(items: Sequence[T], page: int, per_page: int) -> tuple[list[T], int]:
    """Return one page of items (pages past the end give the last) and the number of pages."""
    pages = max(1, -(-len(items) // per_page))
    page = min(max(1, page), pages)
    return list(items[(page - 1) * per_page : page * per_page]), pages
