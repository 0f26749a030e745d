"""Tests of the Page record's conversion to and from plain data."""

from __future__ import annotations

import json
from dataclasses import asdict

from kb.pages import Heading, Link, Page, Section, TooltipUse


def test_to_dict_is_json_equal_to_asdict_and_round_trips() -> None:
    page = Page(
        url="/docs/a",
        path="docs/a.mdx",
        title="A",
        title_source="title",
        description="d",
        section="general",
        validated_on="2026-01-02",
        validated_raw="2026-01-02",
        validation_problem=None,
        headings=(Heading(2, "Intro", "intro"),),
        sections=(Section("intro", "Intro", 2, "text"),),
        links=(Link("/docs/b#x", 7, "b"),),
        tooltips=(TooltipUse("MFA", "tip", "mfa", "/docs/glossary?term=MFA", 9),),
        problems=("stray </br> at line 3",),
        meta={"title": "A", "tags": ["x"]},
    )
    data = page.to_dict()
    assert json.dumps(data) == json.dumps(asdict(page))
    assert Page.from_dict(json.loads(json.dumps(data))) == page
