"""Settings, each declared once with its meaning and read the same way from every source.

The order of precedence: defaults, then the `[kb]` table of kb.toml in the site root, then
`KB_<NAME>` environment variables, then overrides (command-line options, tests). docs/settings.md
is generated from this module (scripts/gen_docs.py).
"""

from __future__ import annotations

import json
import os
import re
import tomllib
from collections.abc import Mapping
from dataclasses import Field, dataclass, field, fields, replace
from pathlib import Path
from typing import Any

REPO_ROOT = Path(__file__).resolve().parent.parent
EXAMPLE_SITE = REPO_ROOT / "examples" / "site"
CONFIG_FILE = "kb.toml"
ENV_PREFIX = "KB_"

# Rules → Actions is the terminology move the Auth0 corpus went through; a site's kb.toml adds its own.
DEFAULT_DEPRECATED_TERMS: dict[str, str] = {
    "Rule": "Action",
    "Rules": "Actions",
    "Hook": "Action",
    "Hooks": "Actions",
    "whitelist": "allowlist",
    "blacklist": "denylist",
    "master": "main",
}


@dataclass(frozen=True)
class SectionPolicy:
    """A review policy that overrides the defaults for one section."""

    review_window_days: int
    warning_days: int


def _about(help_text: str, kind: str) -> dict[str, str]:
    """Say what a setting means and the kind of value it takes (how its text is read)."""
    return {"help": help_text, "kind": kind}


@dataclass(frozen=True)
class Settings:
    """Every setting kb reads (see docs/settings.md)."""

    site_root: Path = field(
        default=EXAMPLE_SITE, metadata=_about("Folder holding the docs.", "path")
    )
    index_dir: Path = field(
        default=Path(".kb-index"), metadata=_about("Folder holding the index generations.", "path")
    )
    excludes: tuple[str, ...] = field(
        default=(),
        metadata=_about("Globs (relative to the site root) of files that are not pages.", "globs"),
    )
    snippet_dirs: tuple[str, ...] = field(
        default=("snippets", "_snippets", "_includes"),
        metadata=_about("Top-level folders whose files are includes, not pages.", "globs"),
    )
    max_page_bytes: int = field(
        default=2_000_000, metadata=_about("Pages larger than this are rejected.", "int")
    )
    max_parse_seconds: float = field(
        default=20.0,
        metadata=_about(
            "A page that takes longer to parse is rejected (0 turns the limit off).", "float"
        ),
    )
    review_window_days: int = field(
        default=180, metadata=_about("Days a validation stays fresh.", "int")
    )
    warning_days: int = field(
        default=30, metadata=_about("Days before the window ends when a page becomes due.", "int")
    )
    section_policies: dict[str, SectionPolicy] = field(
        default_factory=dict,
        metadata=_about(
            "Per-section review window and warning period: "
            '{"section" = {review_window_days = N, warning_days = N}}.',
            "policies",
        ),
    )
    exempt: tuple[str, ...] = field(
        default=(),
        metadata=_about("Globs of URLs or paths exempt from review (e.g. API reference).", "globs"),
    )
    deprecated_terms: dict[str, str] = field(
        default_factory=lambda: dict(DEFAULT_DEPRECATED_TERMS),
        metadata=_about(
            "Deprecated term → its replacement (replaces the defaults; extra_deprecated_terms in "
            "kb.toml adds to them).",
            "terms",
        ),
    )
    deprecated_allow: dict[str, tuple[str, ...]] = field(
        default_factory=dict,
        metadata=_about(
            "Pages where a deprecated term is legitimate (a migration guide must go on saying "
            "Rules): term → globs of page paths from the site root, "
            '{Rules = ["docs/customize/rules/**"]}. The terms report counts those uses as '
            "suppressed and kb fix-terms leaves them alone.",
            "allowlist",
        ),
    )
    glossary_pages: tuple[str, ...] = field(
        default=(),
        metadata=_about(
            "Globs of the glossary pages; empty means any page named like a glossary "
            "(glossary.mdx, terms.md …) or holding a terms={[...]} component.",
            "globs",
        ),
    )
    max_vanish_share: float = field(
        default=0.5,
        metadata=_about(
            "Refuse to switch when more than this share of pages would disappear.", "float"
        ),
    )
    md_dialect: str = field(
        default="auto",
        metadata=_about(
            "How `.md` pages are read: `markdown` (plain Markdown as MkDocs reads it: indented "
            "code, `<` in prose is text, the `markdown_extensions` of mkdocs.yml), `mdx` (as MDX, "
            "like Mintlify or Docusaurus), or `auto`: `markdown` in a MkDocs site (one with "
            "mkdocs.yml at the site root), else `mdx`. `.mdx` pages are always MDX.",
            "dialect",
        ),
    )
    stale_budget: int | None = field(
        default=None,
        metadata=_about("Default --fail-over for `kb stale` (none: no budget).", "optional-int"),
    )
    edit_url: str | None = field(
        default=None,
        metadata=_about(
            "Link to edit a page's source, {path} standing for its path from the site root "
            "(e.g. https://github.com/ORG/REPO/edit/main/{path}); none: no edit links.",
            "optional-str",
        ),
    )
    redirects: dict[str, str] = field(
        default_factory=dict,
        metadata=_about(
            "Redirects served besides the site's own (docs.json, mkdocs.yml): "
            '{"/old/url" = "/new/url"}; `*` and `:name*` patterns as in Mintlify.',
            "terms",
        ),
    )
    history_seconds: float = field(
        default=60.0,
        metadata=_about(
            "Time the git history pass of `kb index` may take (0 turns it off); pages it does "
            "not reach have no last-change date, and the build summary says so.",
            "float",
        ),
    )
    section_owners: dict[str, tuple[str, ...]] = field(
        default_factory=dict,
        metadata=_about(
            'Owners per section, for pages without an owner in frontmatter: {"section" = '
            '["@team", "alice"]} (the nearest parent section counts; before CODEOWNERS).',
            "owners",
        ),
    )
    state_dir: Path | None = field(
        default=None,
        metadata=_about(
            "Writable folder for what the server records (the search log); none means "
            "`<index_dir>-state` beside the index folder.",
            "optional-path",
        ),
    )
    search_log: bool = field(
        default=True,
        metadata=_about(
            "Log settled searches (query, result count, day, top-5 pages; no IP, user agent "
            "or cookie) for the search demand report.",
            "bool",
        ),
    )
    search_log_retention_days: int = field(
        default=90, metadata=_about("Days a logged search is kept.", "int")
    )
    search_log_max_rows: int = field(
        default=1_000_000,
        metadata=_about("Most searches the log keeps; the oldest go first.", "int"),
    )
    default_language: str = field(
        default="en",
        metadata=_about(
            "Language code of pages no language rule claims (en, fr-ca, ja-jp …).", "code"
        ),
    )
    languages: dict[str, tuple[str, ...]] = field(
        default_factory=dict,
        metadata=_about(
            "Language code → globs of its pages' paths: "
            '{"fr-ca" = ["docs/fr-ca/**"]}; wins over the site config, a page\'s lang key over both.',
            "languages",
        ),
    )


SETTING_FIELDS: dict[str, Field[Any]] = {f.name: f for f in fields(Settings)}


def _table(name: str, value: Any) -> Mapping[str, Any]:
    """Read a table setting: a mapping, or (from the environment) JSON or a TOML inline table."""
    if isinstance(value, Mapping):
        return value
    text = str(value).strip()
    try:
        parsed = json.loads(text)
    except ValueError:
        try:
            parsed = tomllib.loads(f"value = {text}")["value"]
        except tomllib.TOMLDecodeError:
            parsed = None
    if not isinstance(parsed, Mapping):
        raise ValueError(
            f'{name} must be a table: JSON ({{"a": "b"}}) or a TOML inline table ({{a = "b"}})'
        )
    return parsed


def _globs(value: Any) -> tuple[str, ...]:
    """Read a list of globs: a list, or (from the environment) a JSON list or comma-separated."""
    if isinstance(value, str):
        text = value.strip()
        try:
            parsed = json.loads(text) if text.startswith("[") else None
        except ValueError:
            parsed = None  # a glob such as [slug]/drafts/** that only looks like a list
        if not isinstance(parsed, list):
            return tuple(v.strip() for v in text.split(",") if v.strip())
        value = parsed
    return tuple(str(v) for v in value)


def _policies(name: str, value: Any) -> dict[str, SectionPolicy]:
    """Read per-section review policies."""
    return {
        str(key): SectionPolicy(int(p["review_window_days"]), int(p["warning_days"]))
        for key, p in _table(name, value).items()
    }


_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off"}


def _bool(value: Any) -> bool:
    """Read a switch: a TOML boolean, or (from the environment) true/false, on/off, yes/no, 1/0."""
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in _TRUE | _FALSE:
        return text in _TRUE
    raise ValueError(f"{str(value)[:40]!r} is not a switch; use true or false")


def _terms(name: str, value: Any) -> dict[str, str]:
    """Read a table of term → replacement."""
    return {str(k): str(v) for k, v in _table(name, value).items()}


MD_DIALECTS = ("auto", "markdown", "mdx")


def _dialect(value: Any) -> str:
    """Read how .md pages are read: one of MD_DIALECTS."""
    word = str(value).strip().lower()
    if word not in MD_DIALECTS:
        raise ValueError(f"{value!r} is not one of {', '.join(MD_DIALECTS)}")
    return word


def _owners(name: str, value: Any) -> dict[str, tuple[str, ...]]:
    """Read a table of section → owners (a list, or names separated by commas or spaces)."""
    table = {}
    for key, owners in _table(name, value).items():
        items = (
            owners if isinstance(owners, list | tuple) else str(owners).replace(",", " ").split()
        )
        table[str(key).strip("/")] = tuple(str(o).strip() for o in items if str(o).strip())
    return table


def _code(value: Any) -> str:
    """Read a language code (fr-ca, ja-jp): letters and digits in hyphenated parts."""
    code = str(value).strip().replace("_", "-").lower()
    if not re.fullmatch(r"[a-z]{2,3}(?:-[a-z0-9]{2,8})*", code):
        raise ValueError(f"{value!r} is not a language code (en, fr-ca, ja-jp …)")
    return code


def coerce(name: str, value: Any) -> Any:
    """Turn a TOML, environment or override value into the type a setting takes.

    Raises ValueError naming the setting when the value cannot be used.
    """
    kind = SETTING_FIELDS[name].metadata["kind"]
    try:
        if kind == "path":
            return Path(value)
        if kind == "globs":
            return _globs(value)
        if kind == "int":
            return int(value)
        if kind == "optional-path":
            return None if value in (None, "") else Path(value)
        if kind == "bool":
            return _bool(value)
        if kind == "optional-int":
            return None if value in (None, "") else int(value)
        if kind == "optional-str":
            return None if value in (None, "") else str(value)
        if kind == "float":
            return float(value)
        if kind == "policies":
            return _policies(name, value)
        if kind == "terms":
            return _terms(name, value)
        if kind == "dialect":
            return _dialect(value)
        if kind == "allowlist":
            return {str(k): _globs(v) for k, v in _table(name, value).items()}
        if kind == "owners":
            return _owners(name, value)
        if kind == "code":
            return _code(value)
        if kind == "languages":
            return {_code(k): _globs(v) for k, v in _table(name, value).items()}
        raise KeyError(f"unknown kind {kind!r}")
    except (TypeError, KeyError, ValueError, json.JSONDecodeError) as exc:
        raise ValueError(f"setting {name}: {exc}") from None


def _from_toml(path: Path) -> dict[str, Any]:
    """Read the [kb] table of a kb.toml: known settings only, extra_deprecated_terms merged."""
    try:
        data = dict(tomllib.loads(path.read_text(encoding="utf-8")).get("kb", {}))
    except tomllib.TOMLDecodeError as exc:
        raise ValueError(f"{path}: {exc}") from None
    extra_terms = data.pop("extra_deprecated_terms", None)
    unknown = set(data) - set(SETTING_FIELDS)
    if unknown:
        raise ValueError(f"{path}: unknown settings {sorted(unknown)}")
    values = {k: coerce(k, v) for k, v in data.items()}
    if extra_terms:
        try:
            extra = _terms("extra_deprecated_terms", extra_terms)
        except ValueError as exc:
            raise ValueError(f"{path}: setting extra_deprecated_terms: {exc}") from None
        base = values.get("deprecated_terms", DEFAULT_DEPRECATED_TERMS)
        values["deprecated_terms"] = {**base, **extra}
    return values


def load_settings(
    site_root: Path | str | None = None,
    overrides: dict[str, Any] | None = None,
    environ: Mapping[str, str] | None = None,
) -> Settings:
    """Build settings from defaults, kb.toml in the site root, KB_* variables, then overrides."""
    env = os.environ if environ is None else environ
    root = site_root or env.get("KB_SITE_ROOT") or (overrides or {}).get("site_root")
    values: dict[str, Any] = {"site_root": Path(root) if root else EXAMPLE_SITE}
    toml_path = Path(values["site_root"]) / CONFIG_FILE
    if toml_path.is_file():
        values.update(_from_toml(toml_path))
    for name in SETTING_FIELDS.keys() - {"site_root"}:
        raw = env.get(ENV_PREFIX + name.upper())
        if raw is not None:
            values[name] = coerce(name, raw)
    for key, value in (overrides or {}).items():
        if key not in SETTING_FIELDS:
            raise ValueError(f"unknown setting {key!r}")
        values[key] = coerce(key, value)
    return replace(Settings(), **values)


# The settings a served generation keeps, so reports judge pages by the rules it was built with.
REPORT_SETTINGS = (
    "review_window_days",
    "warning_days",
    "section_policies",
    "exempt",
    "deprecated_terms",
    "stale_budget",
    "edit_url",
)


def report_settings(settings: Settings) -> dict[str, Any]:
    """Return the settings the served app needs for reports, as JSON-ready data."""
    data = {name: getattr(settings, name) for name in REPORT_SETTINGS}
    data["section_policies"] = {
        key: {"review_window_days": p.review_window_days, "warning_days": p.warning_days}
        for key, p in settings.section_policies.items()
    }
    data["exempt"] = list(settings.exempt)
    return data


def state_folder(settings: Settings) -> Path:
    """Return the folder for server state: state_dir, or `<index_dir>-state` beside the index.

    Never inside the index folder: generations are immutable and pruned as a whole.
    """
    if settings.state_dir is not None:
        return settings.state_dir
    index = settings.index_dir
    return index.parent / f"{index.name or 'kb-index'}-state"


def settings_from_report(data: Mapping[str, Any] | None) -> Settings:
    """Rebuild Settings from report_settings() data stored in a generation."""
    values = {k: coerce(k, v) for k, v in (data or {}).items() if k in REPORT_SETTINGS}
    return replace(Settings(), **values)
