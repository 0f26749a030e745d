"""Tests for kb.glossary.drift: tooltip drift kinds, unused terms and plain term mentions."""

from __future__ import annotations

import html
import re
from collections import Counter
from pathlib import Path

import pytest

from kb.glossary.drift import DriftFinding, tooltip_drift
from kb.glossary.reader import parse_glossary_page
from kb.glossary.terms import Glossary
from kb.glossary.usage import term_mentions, unused_terms
from kb.pages import TooltipUse
from kb.urls import term_from_href
from tests.conftest import CORPUS
from tests.required import cannot_run

GLOSSARY_PAGE = """<GlossaryPage terms={[
  {
    term: "Identity Provider (IdP)",
    description: "Service that stores and manages digital identities.",
  },
  {
    term: "Management API",
    description:
      "Auth0's API to manage Auth0 " +
      "services and perform administrative tasks programmatically.",
  },
  {
    term: "Auth0 Dashboard",
    description:
      "Auth0’s primary administrator interface in which you can " +
      "register your application or API and configure your services.",
  },
  {
    term: "Multi-factor authentication (MFA)",
    description: "Authentication process that considers multiple factors.",
  },
  {
    term: "Adaptive Multi-factor Authentication",
    description: "MFA that is only triggered for low confidence logins.",
  },
  {
    term: "Actions",
    description:
      "Secure, tenant-specific, versioned functions written in " +
      "Node.js that run during the Auth0 runtime.",
  },
  {
    term: "OAuth 2.0",
    description: "Authorization framework that defines authorization protocols and workflows.",
  },
  {
    term: "Refresh Token",
    description: "Token used to obtain a renewed Access Token.",
  },
  {
    term: "Refresh Token Rotation",
    description: "Strategy of frequently replacing refresh tokens.",
  },
  {
    term: "Session Cookie",
    description: "Entity that, when present, allows the user to be considered authenticated.",
  },
]} />
"""

MGMT_TIP = "Management API: A product to allow customers to perform administrative tasks."
DASH_TIP = "Auth0 Dashboard: Auth0's main product to configure your services."
IDP_TIP = "Identity Provider (IdP): Service that stores and manages digital identities."


@pytest.fixture
def glossary(tmp_path: Path) -> Glossary:
    """Parse the fixture glossary page from a real file."""
    path = tmp_path / "glossary.mdx"
    path.write_text(GLOSSARY_PAGE, encoding="utf-8")
    terms, problems = parse_glossary_page("glossary.mdx", path.read_text(encoding="utf-8"))
    assert problems == []
    return Glossary(terms)


def use(term: str, tip: str, line: int = 1, text: str = "", href: str = "") -> TooltipUse:
    """Build a tooltip use whose href links the term the way the docs do."""
    href = href or "/docs/glossary?term=" + term.replace(" ", "+")
    return TooltipUse(term=term, tip=tip, text=text or term, href=href, line=line)


def definition_of(glossary: Glossary, name: str) -> str:
    """Return the glossary definition of a term that must exist."""
    term = glossary.lookup(name)
    assert term is not None
    return term.definition


def kinds(findings: list[DriftFinding]) -> list[tuple[str, int, str]]:
    """Reduce findings to (url, line, kind) for compact assertions."""
    return [(f.url, f.line, f.kind) for f in findings]


def test_consistent_tooltips_have_no_findings(glossary: Glossary) -> None:
    uses = [
        ("/a", use("Management API", MGMT_TIP, 1)),
        ("/a", use("identity providers", IDP_TIP, 2)),
        ("/a", use("IdPs", IDP_TIP, 3)),
        ("/a", use("Identity+Provider+%28IdP%29", IDP_TIP, 4)),
        ("/b", use("Action", "Action: A Node.js function run by Auth0.", 1)),
        ("/b", use("OAuth", "OAuth 2.0: Authorization framework.", 2)),
        ("/b", use("Adaptive MFA", "Adaptive Multi-factor Authentication: MFA when risky.", 3)),
        (
            "/b",
            use(
                "multifactor authentication", "Multi-factor authentication (MFA): More factors.", 4
            ),
        ),
    ]
    assert tooltip_drift(uses, glossary) == []


def test_wrong_term_by_prefix(glossary: Glossary) -> None:
    uses = [
        ("/a", use("Management API", MGMT_TIP, 1)),
        ("/a", use("Management API", MGMT_TIP, 2)),
        ("/b", use("Management API", DASH_TIP, 7, text="Management API")),
    ]
    [finding] = tooltip_drift(uses, glossary)
    assert finding == DriftFinding(
        url="/b",
        line=7,
        term="Management API",
        canonical="Management API",
        kind="wrong-term",
        tip=DASH_TIP,
        expected=MGMT_TIP,
        named_term="Auth0 Dashboard",
        text="Management API",
    )


def test_wrong_term_by_definition_text_without_prefix(glossary: Glossary) -> None:
    tip = "Auth0’s primary administrator interface in which you can register your application."
    [finding] = tooltip_drift([("/a", use("Management API", tip))], glossary)
    assert (finding.kind, finding.named_term) == ("wrong-term", "Auth0 Dashboard")
    # With no tooltip wording to go by, the glossary definition is what was expected.
    assert finding.expected == definition_of(glossary, "Management API")


def test_a_tip_that_restates_its_own_term_is_not_wrong(glossary: Glossary) -> None:
    own = "Secure, tenant-specific, versioned functions written in Node."
    assert tooltip_drift([("/a", use("Actions", own))], glossary) == []
    # A longer term that merely contains the linked one is still a different term.
    rotation = "Refresh Token Rotation: Strategy of replacing refresh tokens."
    [finding] = tooltip_drift([("/a", use("refresh tokens", rotation))], glossary)
    assert (finding.kind, finding.named_term) == ("wrong-term", "Refresh Token Rotation")


def test_empty_tips(glossary: Glossary) -> None:
    uses = [
        ("/a", use("Management API", MGMT_TIP, 1)),
        ("/a", use("Management API", "", 2)),
        ("/a", use("Management API", "...", 3)),
        ("/a", use("Auth0 Dashboard", "   ", 4)),
    ]
    findings = tooltip_drift(uses, glossary)
    assert kinds(findings) == [("/a", 2, "empty"), ("/a", 3, "empty"), ("/a", 4, "empty")]
    assert findings[0].expected == MGMT_TIP
    assert findings[2].expected == definition_of(glossary, "Auth0 Dashboard")


def test_unknown_terms_come_with_suggestions(glossary: Glossary) -> None:
    uses = [
        ("/a", use("identity providrs", IDP_TIP, 1)),
        ("/a", use("SCIM", "System for Cross-domain Identity Management (SCIM): Provisioning.", 2)),
    ]
    typo, scim = tooltip_drift(uses, glossary)
    assert (typo.kind, typo.canonical) == ("unknown-term", None)
    assert typo.suggestions[0] == "Identity Provider (IdP)"
    assert typo.expected is not None and typo.expected.startswith("Identity Provider (IdP)")
    assert typo.named_term == "Identity Provider (IdP)"
    assert (scim.kind, scim.suggestions, scim.expected) == ("unknown-term", (), None)


def test_variant_is_measured_against_the_usual_tip(glossary: Glossary) -> None:
    other = "Management API: A product that allows customers to perform administrative tasks."
    uses = [
        ("/a", use("Management API", MGMT_TIP, 1)),
        (
            "/b",
            use(
                "management api",
                "Management API:  A product to allow\n customers to perform administrative tasks.",
                1,
            ),
        ),
        ("/c", use("Management API", other, 9)),
        ("/d", use("Management API", MGMT_TIP, 1)),
    ]
    [finding] = tooltip_drift(uses, glossary)
    assert (finding.url, finding.line, finding.kind) == ("/c", 9, "variant")
    assert finding.expected == MGMT_TIP
    assert finding.named_term is None


def test_term_falls_back_to_the_href(glossary: Glossary) -> None:
    tooltip = TooltipUse(
        term="", tip=DASH_TIP, text="API", href="/docs/glossary?term=Management+API", line=3
    )
    [finding] = tooltip_drift([("/a", tooltip)], glossary)
    assert (finding.term, finding.kind) == ("Management API", "wrong-term")


def test_findings_are_sorted_by_url_then_line(glossary: Glossary) -> None:
    uses = [
        ("/b", use("Management API", "", 5)),
        ("/a", use("Management API", "", 9)),
        ("/a", use("Management API", "", 2)),
    ]
    assert kinds(tooltip_drift(uses, glossary)) == [
        ("/a", 2, "empty"),
        ("/a", 9, "empty"),
        ("/b", 5, "empty"),
    ]
    assert tooltip_drift([], glossary) == []
    assert kinds(tooltip_drift([("/a", use("Anything", "x: y"))], Glossary([]))) == [
        ("/a", 1, "unknown-term")
    ]


def test_unused_terms(glossary: Glossary) -> None:
    used = ["identity+providers", "MFA", "management-api", "actions", "nonsense"]
    unused = {t.term for t in unused_terms(glossary, used)}
    assert "Identity Provider (IdP)" not in unused
    assert "Multi-factor authentication (MFA)" not in unused
    assert "Management API" not in unused
    assert "Actions" not in unused
    assert {"Auth0 Dashboard", "OAuth 2.0", "Session Cookie"} <= unused
    assert len(unused) == len(glossary.terms) - 4


def test_term_mentions_casing_plurals_and_longest_match(glossary: Glossary) -> None:
    text = (
        "Configure an identity provider. Many Identity Providers and IdPs exist; idps is not one.\n"
        "Enable MFA (mfa in lowercase does not count) or multi-factor authentication, "
        "Multi-Factor Authentication or multifactor authentication.\n"
        "Adaptive MFA is its own term. Refresh token rotation rotates the refresh\ntoken.\n"
        "Reactions and Actionsmith are not Actions; an action is.\n"
    )
    counts = term_mentions(glossary, text)
    assert counts == {
        "identity-provider": 3,
        "multi-factor-authentication": 4,
        "adaptive-multi-factor-authentication": 1,
        "refresh-token-rotation": 1,
        "refresh-token": 1,
        "actions": 2,
    }
    assert term_mentions(glossary, "") == {}
    assert term_mentions(Glossary([]), "anything") == {}


def corpus_root() -> Path:
    """Return the corpus root, skipping when it is absent."""
    if not (CORPUS / "docs" / "glossary.mdx").is_file():
        cannot_run("corpus", f"corpus not found at {CORPUS}")
    return CORPUS


TOOLTIP = re.compile(r"<Tooltip\s([^>]*)>(.*?)</Tooltip>", re.DOTALL)
ATTRIBUTE = re.compile(r'(\w+)="([^"]*)"')


def corpus_uses(root: Path) -> list[tuple[str, TooltipUse]]:
    """Extract every tooltip of the corpus with its page URL and file line."""
    uses = []
    for page in sorted((root / "docs").rglob("*.mdx")):
        raw = page.read_text(encoding="utf-8")
        url = "/" + page.relative_to(root).with_suffix("").as_posix()
        for match in TOOLTIP.finditer(raw):
            attrs = {k: html.unescape(v) for k, v in ATTRIBUTE.findall(match.group(1))}
            href = attrs.get("href", "")
            line = raw.count("\n", 0, match.start()) + 1
            tooltip = TooltipUse(
                term_from_href(href) or "", attrs.get("tip", ""), match.group(2), href, line
            )
            uses.append((url, tooltip))
    return uses


def corpus_glossary(root: Path) -> Glossary:
    """Parse the corpus glossary page."""
    terms, problems = parse_glossary_page(
        "docs/glossary.mdx", (root / "docs" / "glossary.mdx").read_text()
    )
    assert problems == []
    return Glossary(terms)


@pytest.mark.corpus
def test_corpus_drift() -> None:
    root = corpus_root()
    uses = corpus_uses(root)
    assert len(uses) == 2463
    findings = tooltip_drift(uses, corpus_glossary(root))
    counts = Counter(f.kind for f in findings)
    # Measured: wrong-term 293, empty 26, variant 11, unknown-term 5.
    assert 250 <= counts["wrong-term"] <= 340
    assert counts["empty"] == 26  # 24 tip="" and 2 tip="..." by grep
    assert 5 <= counts["variant"] <= 30
    assert 3 <= counts["unknown-term"] <= 10
    found = {(f.url, f.line, f.term, f.kind, f.named_term) for f in findings}
    pinned = [
        ("/docs/get-started/apis/add-api-permissions", 9, "Management API", "Auth0 Dashboard"),
        (
            "/docs/manage-users/organizations/configure-organizations/create-organizations",
            9,
            "Management API",
            "Auth0 Dashboard",
        ),
        (
            "/docs/authenticate/identity-providers/enterprise-identity-providers/google-apps",
            48,
            "Client Secret",
            "Client ID",
        ),
        (
            "/docs/authenticate/protocols/saml",
            9,
            "identity provider",
            "Security Assertion Markup Language (SAML)",
        ),
        (
            "/docs/authenticate/single-sign-on/native-to-web/configure-implement-native-to-web",
            608,
            "WS-Fed",
            "Security Assertion Markup Language (SAML)",
        ),
    ]
    for url, line, term, named in pinned:
        assert (url, line, term, "wrong-term", named) in found
    # By grep: 58 Management+API links carry the "Auth0 Dashboard:" tip.
    dashboard_on_mgmt = [
        f for f in findings if f.canonical == "Management API" and f.named_term == "Auth0 Dashboard"
    ]
    assert len(dashboard_on_mgmt) == 58
    # Plural, lowercase or abbreviated links whose tip names their own term are never wrong.
    for finding in findings:
        if finding.kind == "wrong-term":
            assert finding.named_term != finding.canonical
    assert not [
        f
        for f in findings
        if f.term == "identity providers" and f.named_term == "Identity Provider (IdP)"
    ]
    unknown = {f.term for f in findings if f.kind == "unknown-term"}
    assert {"SCIM", "access token at the", "identity tokens"} <= unknown


@pytest.mark.corpus
def test_corpus_mentions_cover_most_terms() -> None:
    root = corpus_root()
    glossary = corpus_glossary(root)
    texts = [p.read_text(encoding="utf-8") for p in (root / "docs").rglob("*.mdx")]
    assert len(texts) == 2930
    totals: Counter[str] = Counter()
    for text in texts:
        totals.update(term_mentions(glossary, text))
    assert totals["management-api"] > 1000
    assert totals["identity-provider"] > 1000
    used = [*totals]
    unused = unused_terms(glossary, used)
    assert len(unused) < 10
