"""The Page record: everything kb knows about one source file, built once at index time."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Heading:
    """A heading of a page, with the anchor its HTML id carries."""

    level: int
    text: str
    anchor: str


@dataclass(frozen=True)
class Section:
    """The plain text under one heading (anchor "" is the text before the first heading)."""

    anchor: str
    heading: str
    level: int
    text: str


@dataclass(frozen=True)
class Link:
    """An internal or external link found in the source, with its 1-based line."""

    target: str
    line: int
    text: str = ""


@dataclass(frozen=True)
class TooltipUse:
    """One <Tooltip> in a page: the glossary term it links, its tip text and where it stands."""

    term: str
    tip: str
    text: str
    href: str
    line: int


_RECORD_TUPLES = ("headings", "sections", "links", "tooltips")


@dataclass(frozen=True)
class Page:
    """One indexed page: metadata, structure, plain text and sanitized HTML."""

    url: str
    path: str
    title: str
    title_source: str
    description: str
    section: str
    validated_on: str | None
    validated_raw: str | None
    validation_problem: str | None
    headings: tuple[Heading, ...] = ()
    sections: tuple[Section, ...] = ()
    html: str = ""
    text: str = ""
    code: str = ""
    links: tuple[Link, ...] = ()
    tooltips: tuple[TooltipUse, ...] = ()
    problems: tuple[str, ...] = ()
    meta: dict[str, Any] = field(default_factory=dict)
    content_hash: str = ""
    body_line: int = 1
    lang: str = ""  # the site language code (kb.build.languages); "" in records from before it

    def to_dict(self) -> dict[str, Any]:
        """Return the page as plain JSON-ready data."""
        # dataclasses.asdict deep-copies recursively, which was a tenth of a full build's main process.
        data = dict(vars(self))
        for name in _RECORD_TUPLES:
            data[name] = [dict(vars(item)) for item in data[name]]
        data["problems"] = list(self.problems)
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Page:
        """Rebuild a page from to_dict() data."""
        return cls(
            **{
                **data,
                "headings": tuple(Heading(**h) for h in data.get("headings", ())),
                "sections": tuple(Section(**s) for s in data.get("sections", ())),
                "links": tuple(Link(**link) for link in data.get("links", ())),
                "tooltips": tuple(TooltipUse(**t) for t in data.get("tooltips", ())),
                "problems": tuple(data.get("problems", ())),
            }
        )
