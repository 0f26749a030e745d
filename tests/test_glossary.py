"""Tests for kb.glossary.terms: glossary page forms, aliases, lookups, tips and glossary links."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kb.glossary.reader import looks_like_glossary, parse_glossary_page
from kb.glossary.terms import Glossary, Term, make_term, normalize_term
from kb.urls import term_from_href

JS_PAGE = """---
title: Glossary
---
import {GlossaryPage} from "/snippets/Glossary.jsx";

<GlossaryPage terms={[
  // a line comment before the first entry
  {
    term: "Identity Provider (IdP)",
    description:
      "Service that stores and manages digital identities.",
  },
  /* a block comment
     over two lines, with a [bracket] and a } brace */
  { "term": 'Quoted \\'Key\\'', 'description': "Says \\"hello\\" to Auth0’s users", },
  {
    term: `Back Tick`,
    description: `Template text
over two lines`,
    aliases: ["BT"],
  },
  {term: "Joined Up", description: "One " + 'two ' + `three`},
  {term: "Escapes", description: "caf\\u00e9 \\u{1F600} \\x41 tab\\there \\uD83D\\uDE00 \\uD800"},
]} />
"""


def parse_file(tmp_path: Path, name: str, text: str) -> tuple[list[Term], list[str]]:
    """Write a glossary page to disk and parse it as ingest would."""
    path = tmp_path / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return parse_glossary_page(name, path.read_text(encoding="utf-8"))


def by_name(terms: list[Term]) -> dict[str, Term]:
    """Index parsed terms by their display name."""
    return {t.term: t for t in terms}


def test_js_literal_form_reads_every_edge_case(tmp_path: Path) -> None:
    terms, problems = parse_file(tmp_path, "docs/glossary.mdx", JS_PAGE)
    assert problems == []
    found = by_name(terms)
    assert list(found) == [
        "Identity Provider (IdP)",
        "Quoted 'Key'",
        "Back Tick",
        "Joined Up",
        "Escapes",
    ]
    assert found["Identity Provider (IdP)"].definition == (
        "Service that stores and manages digital identities."
    )
    assert found["Quoted 'Key'"].definition == 'Says "hello" to Auth0’s users'
    assert found["Back Tick"].definition == "Template text\nover two lines"
    assert "BT" in found["Back Tick"].aliases
    assert found["Joined Up"].definition == "One two three"
    assert found["Escapes"].definition == "café \U0001f600 A tab\there \U0001f600 \ufffd"


def test_js_literal_lines_are_file_lines_where_the_term_is_named(tmp_path: Path) -> None:
    terms, _ = parse_file(tmp_path, "glossary.mdx", JS_PAGE)
    lines = JS_PAGE.splitlines()
    for term in terms:
        first_word = term.term.split()[0].strip("'")
        assert first_word in lines[term.line - 1], (term.term, term.line)
    assert by_name(terms)["Identity Provider (IdP)"].line == 9


def test_line_offset_maps_body_lines_to_file_lines() -> None:
    body = (
        '\n\n<GlossaryPage terms={[\n  {term: "Nonce", description: "Number used once."},\n]} />\n'
    )
    terms, _ = parse_glossary_page("glossary.mdx", body, line_offset=10)
    assert terms[0].line == 14


def test_terms_can_come_from_an_exported_constant(tmp_path: Path) -> None:
    page = (
        'export const entries = [\n  {term: "Tenant", description: "An isolated group."},\n];\n\n'
        "<GlossaryPage terms={entries} />\n"
    )
    terms, problems = parse_file(tmp_path, "glossary.mdx", page)
    assert [(t.term, t.line) for t in terms] == [("Tenant", 2)]
    assert problems == []


def test_definition_list_form(tmp_path: Path) -> None:
    page = (
        "# Glossary\n\nSome intro text.\n\n"
        "Access Token\n: Credential used to call an API.\n  It is short-lived.\n\n"
        "**Single Sign-On (SSO)**\n: Log in once.\n: Second definition.\n\n"
        "```\nNot A Term\n: inside a fence\n```\n"
    )
    terms, problems = parse_file(tmp_path, "glossary.md", page)
    assert problems == []
    assert [(t.term, t.line) for t in terms] == [("Access Token", 5), ("Single Sign-On (SSO)", 9)]
    assert terms[0].definition == "Credential used to call an API. It is short-lived."
    assert terms[1].definition == "Log in once.\nSecond definition."
    assert terms[1].aliases[:2] == ("Single Sign-On", "SSO")


def test_heading_per_term_form_skips_letter_headings_and_fences(tmp_path: Path) -> None:
    page = (
        "# Terminology\n\nIntro.\n\n## A\n\n### Audience {#aud}\n\nWho a token is for.\n\n"
        "Second paragraph.\n\n```md\n## Not a heading\n```\n\n## B\n\n### `Beta`\nEarly release.\n"
    )
    terms, problems = parse_file(tmp_path, "terminology.md", page)
    assert problems == []
    assert [(t.term, t.line) for t in terms] == [("Audience", 7), ("Beta", 19)]
    assert terms[0].definition == "Who a token is for.\n\nSecond paragraph."
    assert terms[1].definition == "Early release."


def test_bold_list_form(tmp_path: Path) -> None:
    page = "# Glossary\n\n- **Nonce**: Number used once.\n- **Scope** — What an app may do.\n"
    terms, problems = parse_file(tmp_path, "glossary.md", page)
    assert [(t.term, t.definition) for t in terms] == [
        ("Nonce", "Number used once."),
        ("Scope", "What an app may do."),
    ]
    assert problems == []


@pytest.mark.parametrize(
    ("page", "message"),
    [
        ('<GlossaryPage terms={[ {term: "A", description: "b"}, {term: "C"', "end of page"),
        ('<GlossaryPage terms={[ {term: "A", description: "b"}, "oops', "unterminated string"),
        ('<GlossaryPage terms={[ {term: "A", description: "b"}, /* never closed', "comment"),
        ('<GlossaryPage terms={[ {term: "A", description: "b"}, {term: "C" x: 1}]} />', "expected"),
        ('<GlossaryPage terms={[ {term: "A", description: "b"}, <b>jsx</b> ]} />', "not an object"),
    ],
)
def test_broken_js_literal_keeps_earlier_terms_and_reports(page: str, message: str) -> None:
    terms, problems = parse_glossary_page("glossary.mdx", page)
    assert [t.term for t in terms] == ["A"]
    assert len(problems) == 1
    assert message in problems[0]
    assert problems[0].startswith("line 1:")


def test_bad_entries_are_reported_one_by_one() -> None:
    page = (
        "<GlossaryPage terms={[\n"
        '  "not an object",\n'
        '  {description: "no name"},\n'
        '  {term: "No Definition", description: "   "},\n'
        '  {term: "Variable", description: someVariable},\n'
        '  {term: "Good", description: "fine"},\n'
        '  {term: "good", description: "again"},\n'
        "]} />\n"
    )
    terms, problems = parse_glossary_page("glossary.mdx", page)
    assert [t.term for t in terms] == ["Good"]
    assert problems == [
        "line 2: glossary entry is not an object",
        "line 3: glossary entry has no term name",
        "line 4: glossary term 'No Definition' has no definition",
        "line 5: glossary term 'Variable' has no definition",
        "line 7: duplicate glossary term 'good' (first at line 6)",
    ]


def test_deep_nesting_and_empty_pages_are_problems_not_exceptions() -> None:
    terms, problems = parse_glossary_page("glossary.mdx", "<GlossaryPage terms={[" + "[" * 5000)
    assert terms == []
    assert "nested too deeply" in problems[0]
    assert parse_glossary_page("glossary.md", "") == ([], ["no glossary terms found"])


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=300))
def test_arbitrary_input_never_raises(noise: str) -> None:
    for page in (noise, "<GlossaryPage terms={[" + noise, "Term\n: " + noise):
        terms, problems = parse_glossary_page("glossary.mdx", page)
        assert all(isinstance(t, Term) for t in terms)
        assert all(isinstance(p, str) for p in problems)


def test_looks_like_glossary() -> None:
    assert looks_like_glossary("docs/glossary.mdx", "")
    assert looks_like_glossary("docs/Terminology.md", "")
    assert looks_like_glossary("docs/glossary/index.md", "")
    assert looks_like_glossary("fr/glossaire.md", "")
    assert looks_like_glossary("docs/words.mdx", "<GlossaryPage terms={[]} />")
    assert not looks_like_glossary("docs/guide.md", "# Guide\n\nTerm\n: def\n")


@pytest.mark.parametrize(
    ("text", "key"),
    [
        ("Identity Providers", "identity provider"),
        ("identity+providers", "identity provider"),
        ("Multi-Factor_Authentication", "multi factor authentication"),
        ("scope(s)", "scope"),
        ("Policies", "policy"),
        ("Classes", "class"),
        ("Status", "status"),
        ("Analysis", "analysis"),
        ("Auth0’s  Dashboard", "auth0s dashboard"),
        ("JWTs", "jwt"),
    ],
)
def test_normalize_term(text: str, key: str) -> None:
    assert normalize_term(text) == key


def test_make_term_derives_aliases_and_slug() -> None:
    idp = make_term("Identity Provider (IdP)", "Service.", "g.mdx", 3)
    assert idp.slug == "identity-provider"
    assert idp.aliases == ("Identity Provider", "IdP", "Identity Providers", "IdPs")
    assert make_term("OAuth 2.0", "Framework.", "g.mdx", 1).aliases[0] == "OAuth"
    assert make_term("OAuth 2.0", "Framework.", "g.mdx", 1).slug == "oauth-2-0"
    assert make_term("Actions", "Functions.", "g.mdx", 1).aliases == ("Action",)
    assert "Digital Identities" in make_term("Digital Identity", "Attributes.", "g.mdx", 1).aliases
    aka = make_term("Bad Actors", "Also known as threat actors. Entities.", "g.mdx", 1)
    assert "threat actors" in aka.aliases
    assert make_term("Account Linking", "Joining.", "g.mdx", 1).aliases == ()


def sample_glossary() -> Glossary:
    """Build a small glossary covering abbreviations, versions and plural names."""
    return Glossary(
        [
            make_term(
                "Identity Provider (IdP)",
                "Service that stores and manages digital identities.",
                "g",
                1,
            ),
            make_term(
                "Multi-factor authentication (MFA)", "Authentication with several factors.", "g", 2
            ),
            make_term("Adaptive Multi-factor Authentication", "MFA only for risky logins.", "g", 3),
            make_term(
                "OAuth 2.0",
                "Authorization framework that defines authorization protocols and workflows.",
                "g",
                4,
            ),
            make_term(
                "Actions",
                "Secure, tenant-specific, versioned functions written in Node.js.",
                "g",
                5,
            ),
            make_term("Single Sign-On (SSO)", "Log in once, use many applications.", "g", 6),
            make_term(
                "Session Cookie",
                "Entity that, when present, allows the user to be considered authenticated.",
                "g",
                7,
            ),
            make_term("beta", "Product release stage before general availability.", "g", 8),
        ]
    )


@pytest.mark.parametrize(
    ("name", "slug"),
    [
        ("identity providers", "identity-provider"),
        ("identity+providers", "identity-provider"),
        ("Identity+Provider+%28IdP%29", "identity-provider"),
        ("IdPs", "identity-provider"),
        ("IDP", "identity-provider"),
        ("identity-provider", "identity-provider"),
        ("Adaptive MFA", "adaptive-multi-factor-authentication"),
        ("multifactor authentication", "multi-factor-authentication"),
        ("multi-factor authentication (MFA)", "multi-factor-authentication"),
        ("OAuth", "oauth-2-0"),
        ("Action", "actions"),
        ("Single Sign On", "single-sign-on"),
        ("session cookies", "session-cookie"),
        ("Auth0%20Dashboard", None),
        ("", None),
        ("  ", None),
    ],
)
def test_lookup_by_every_name(name: str, slug: str | None) -> None:
    found = sample_glossary().lookup(name)
    assert (found.slug if found else None) == slug


def test_terms_are_sorted_case_insensitively() -> None:
    assert [t.term for t in sample_glossary().terms][:3] == [
        "Actions",
        "Adaptive Multi-factor Authentication",
        "beta",
    ]


def test_close_matches() -> None:
    glossary = sample_glossary()
    assert glossary.close_matches("identity providrs")[0].term == "Identity Provider (IdP)"
    assert glossary.close_matches("session cookie at the")[0].term == "Session Cookie"
    assert glossary.close_matches("zzzz") == []
    assert len(glossary.close_matches("a", n=2)) <= 2


def test_find_in_tip_by_prefix_then_by_definition() -> None:
    glossary = sample_glossary()
    tips = {
        "Identity Provider (IdP): Service that stores identities.": "Identity Provider (IdP)",
        "Action: A Node.js function.": "Actions",
        "Secure, tenant-specific, versioned functions written in Node.": "Actions",
    }
    for tip, name in tips.items():
        found = glossary.find_in_tip(tip)
        assert found is not None and found.term == name, tip
    assert glossary.find_in_tip("Note: nothing here matches any definition at all") is None
    assert glossary.find_in_tip("") is None


def test_json_round_trip_and_bad_rows() -> None:
    glossary = sample_glossary()
    data = glossary.to_json()
    assert set(data[0]) >= {"term", "slug", "definition", "aliases"}
    again = Glossary.from_json(data)
    assert again.terms == glossary.terms
    rows: list = [{"term": "X"}, "junk", {"term": "Y", "definition": "Why."}]
    partial = Glossary.from_json(rows)
    assert [t.term for t in partial.terms] == ["Y"]


@pytest.mark.parametrize(
    ("href", "term"),
    [
        ("/docs/glossary?term=identity+providers", "identity providers"),
        ("/docs/glossary?term=Auth0%20Dashboard", "Auth0 Dashboard"),
        ("/docs/glossary?term=scope%28s%29", "scope(s)"),
        ("https://example.com/docs/glossary?x=1&amp;term=JWT", "JWT"),
        ("/glossary/identity-provider", "identity-provider"),
        ("/docs/glossary#mfa", "mfa"),
        ("?term=Nonce", "Nonce"),
        ("/docs/search?term=x", None),
        ("/docs/glossary", None),
        ("", None),
    ],
)
def test_term_from_href(href: str, term: str | None) -> None:
    assert term_from_href(href) == term


@pytest.mark.corpus
def test_real_glossary_parses_completely(corpus_root: Path) -> None:
    raw = (corpus_root / "docs" / "glossary.mdx").read_text(encoding="utf-8")
    terms, problems = parse_glossary_page("docs/glossary.mdx", raw)
    assert problems == []
    # `grep -c 'term:' docs/glossary.mdx` counts 79 entries.
    assert len(terms) == 79 == len(re.findall(r"^\s*term:", raw, re.MULTILINE))
    found = by_name(terms)
    assert found["Access Token"].line == 13
    assert found["Web Service Federation (WS-Fed)"].line == 395
    assert found["Custom Domain"].definition == (
        "Third-party domain with a specialized, or vanity, name. Also known as a CNAME."
    )
    assert found["Management API"].definition == (
        "Auth0's API to manage Auth0 services and perform administrative tasks programatically."
    )
    assert found["Auth0 Dashboard"].definition.startswith("Auth0’s primary administrator interface")
    assert found["Identity Provider (IdP)"].aliases[:2] == ("Identity Provider", "IdP")
    assert found["Trigger"].definition.startswith("Event that automatically invokes an Action")


@pytest.mark.corpus
def test_real_glossary_with_frontmatter_split_off_keeps_file_lines(corpus_root: Path) -> None:
    raw = (corpus_root / "docs" / "glossary.mdx").read_text(encoding="utf-8")
    lines = raw.splitlines(keepends=True)
    closing = lines.index("---\n", 1)
    body = "".join(lines[closing + 1 :])
    terms, problems = parse_glossary_page("docs/glossary.mdx", body, closing + 1)
    assert problems == []
    assert by_name(terms)["Access Token"].line == 13


@pytest.mark.corpus
def test_most_real_tooltip_links_resolve(corpus_root: Path) -> None:
    terms, _ = parse_glossary_page(
        "docs/glossary.mdx", (corpus_root / "docs" / "glossary.mdx").read_text()
    )
    glossary = Glossary(terms)
    hrefs = [
        m.group(1)
        for page in (corpus_root / "docs").rglob("*.mdx")
        for m in re.finditer(r'<Tooltip[^>]*?href="([^"]*)"', page.read_text(encoding="utf-8"))
    ]
    names = [term_from_href(h) for h in hrefs]
    unresolved = sorted({n for n in names if n and glossary.lookup(n) is None})
    assert len(hrefs) == 2463
    assert all(names)
    # Only genuinely missing or mangled links stay unresolved.
    assert unresolved == [
        "OpenID Connect (OIDC)",
        "SAML-P",
        "SCIM",
        "access token at the",
        "identity tokens",
    ]


def test_a_bad_number_in_the_terms_array_is_a_problem_not_a_crash() -> None:
    huge = "9" * 5000
    page = f'<GlossaryPage terms={{[ {{term: "A", description: "b"}}, {{order: {huge}}} ]}} />'
    terms, problems = parse_glossary_page("glossary.mdx", page)
    assert [t.term for t in terms] == ["A"]
    assert problems == [f"line 1: glossary terms array: bad number '{'9' * 20}'"]
