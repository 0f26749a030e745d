"""What a page's frontmatter says about its last review: the `validatedOn` date, read strictly.

An ISO date is required; anything else (07-20-2026, an empty value, 2026-02-30, a misspelled key
like `validation:`) is a problem named with what the author most likely meant.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime

KEY = "validatedOn"
_KEY_NORMAL = "validatedon"
_ISO = re.compile(r"\d{4}-\d{2}-\d{2}")
_YMD = re.compile(r"(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})")
_XXY = re.compile(r"(\d{1,2})[-/.](\d{1,2})[-/.](\d{4})")
_COMPACT = re.compile(r"(\d{4})(\d{2})(\d{2})")
_DATEISH = re.compile(r"\d{1,4}[-/.]\d{1,2}[-/.]\d{1,4}|\d{8}|[A-Za-z]{3,9}\.? \d")
_TEXT_FORMATS = ("%B %d, %Y", "%b %d, %Y", "%d %B %Y", "%d %b %Y", "%B %d %Y", "%b %d %Y")


@dataclass(frozen=True)
class Validation:
    """What a page's frontmatter says about its last review.

    `raw` is the value as text: "" for an empty value, None when no such key exists.
    `problem` is set when the key is misspelled or the value is not a real ISO date;
    `validated_on` is still filled whenever the value can be read, so the age shows.
    """

    validated_on: date | None
    raw: str | None
    problem: str | None


def _levenshtein(a: str, b: str) -> int:
    """Return the edit distance between two short strings."""
    previous = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        current = [i]
        for j, cb in enumerate(b, 1):
            current.append(min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (ca != cb)))
        previous = current
    return previous[-1]


def _normal_key(key: str) -> str:
    """Fold case and drop separators so validated_on, Validated-On and validatedon compare equal."""
    return re.sub(r"[\s_\-.:]", "", key).casefold()


def _as_text(value: object) -> str:
    """Render a frontmatter value as the text an author typed."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, datetime | date):
        return value.isoformat()
    return str(value).strip()


def _looks_like_date(value: object) -> bool:
    """Tell whether a value under a near-miss key is plausibly meant as a date."""
    if value is None or isinstance(value, date):
        return True
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        return False
    text = str(value).strip()
    return not text or bool(_DATEISH.search(text))


def misspelled_key(meta: Mapping[str, object]) -> str | None:
    """Find the key that most likely meant validatedOn, or None."""
    best: tuple[int, str] | None = None
    for key, value in meta.items():
        if not isinstance(key, str) or key == KEY:
            continue
        normal = _normal_key(key)
        distance = _levenshtein(normal, _KEY_NORMAL)
        if distance <= 1:
            rank = distance
        # Further-off keys (validatedBy, validation) count only when they hold a date.
        elif not _looks_like_date(value):
            continue
        elif distance <= 2:
            rank = distance
        elif "validat" in normal:
            rank = 10 + distance
        else:
            continue
        if best is None or rank < best[0]:
            best = (rank, key)
    return best[1] if best else None


def _real(year: int, month: int, day: int) -> date | None:
    """Return the date when the triple is a real calendar day."""
    try:
        return date(year, month, day)
    except ValueError:
        return None


def _why_not_real(year: int, month: int, day: int) -> str:
    """Say which part of a date triple is out of range."""
    if not 1 <= year <= 9999:
        return "year out of range"
    if not 1 <= month <= 12:
        return "month out of range"
    return "day out of range"


def _suggestions(text: str) -> list[date]:
    """Guess the ISO dates a non-ISO value may have meant, most likely first."""
    if m := _YMD.fullmatch(text) or _COMPACT.fullmatch(text):
        found = _real(int(m[1]), int(m[2]), int(m[3]))
        return [found] if found else []
    if m := _XXY.fullmatch(text):
        first, second, year = int(m[1]), int(m[2]), int(m[3])
        # Month first is the common US form (07-20-2026); day first is the European one.
        guesses = [_real(year, first, second), _real(year, second, first)]
        return list(dict.fromkeys(g for g in guesses if g))
    for fmt in _TEXT_FORMATS:
        try:
            return [datetime.strptime(text, fmt).date()]
        except ValueError:
            continue
    return []


def parse_date_value(value: object) -> tuple[date | None, str | None]:
    """Read a validatedOn value into a date, or explain why it is not a valid ISO date."""
    if isinstance(value, datetime):
        return value.date(), None
    if isinstance(value, date):
        return value, None
    if isinstance(value, list | tuple | dict | set):
        return None, f"{KEY} is a {type(value).__name__}, not a date"
    text = _as_text(value)
    if not text:
        return None, f"{KEY} is empty"
    shown = text if len(text) <= 60 else text[:57] + "..."
    head = text[:10]
    if _ISO.fullmatch(head) and (len(text) == 10 or text[10] in "T "):
        year, month, day = int(head[:4]), int(head[5:7]), int(head[8:10])
        found = _real(year, month, day)
        if found is None:
            return None, f"{KEY} '{shown}' is not a real date ({_why_not_real(year, month, day)})"
        if len(text) == 10:
            return found, None
        try:
            return datetime.fromisoformat(text).date(), None
        except ValueError:
            return None, f"{KEY} '{shown}' is not an ISO date (YYYY-MM-DD)"
    problem = f"{KEY} '{shown}' is not an ISO date (YYYY-MM-DD)"
    guesses = _suggestions(text)
    if len(guesses) == 1:
        return None, f"{problem}; did you mean {guesses[0].isoformat()}?"
    if len(guesses) == 2:
        a, b = (g.isoformat() for g in guesses)
        return None, f"{problem}; did you mean {a} (month first) or {b} (day first)?"
    if m := _YMD.fullmatch(text) or _COMPACT.fullmatch(text):
        why = _why_not_real(int(m[1]), int(m[2]), int(m[3]))
        return None, f"{KEY} '{shown}' is not a real date ({why})"
    return None, problem


def read_validation(meta: Mapping[str, object]) -> Validation:
    """Read a page's validatedOn from its frontmatter, naming a misspelled key when there is one."""
    if not isinstance(meta, Mapping):
        return Validation(None, None, None)
    if KEY in meta:
        value = meta[KEY]
        found, problem = parse_date_value(value)
        return Validation(found, _as_text(value), problem)
    key = misspelled_key(meta)
    if key is None:
        return Validation(None, None, None)
    value = meta[key]
    found, value_problem = parse_date_value(value)
    problem = f"key '{key}' looks like a misspelling of {KEY}"
    if value_problem:
        problem = f"{problem}; {value_problem}"
    return Validation(found, _as_text(value), problem)


def validation_from_fields(
    validated_on: str | None, raw: str | None, problem: str | None
) -> Validation:
    """Rebuild a Validation from the ISO text, raw value and problem a Page record stores."""
    found, _ = parse_date_value(validated_on) if validated_on else (None, None)
    return Validation(found, raw, problem)
