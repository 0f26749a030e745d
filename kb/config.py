"""Settings, each declared once with its meaning; read from kb.toml in the site root and KB_* variables."""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import Any

REPO_ROOT = Path(__file__).resolve().parent.parent
EXAMPLE_SITE = REPO_ROOT / "examples" / "site"
CONFIG_FILE = "kb.toml"

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


@dataclass(frozen=True)
class Settings:
    """Every setting kb reads; the docstring of each field is in the `help` metadata."""

    site_root: Path = field(default=EXAMPLE_SITE, metadata={"help": "Folder holding the docs."})
    index_dir: Path = field(
        default=Path(".kb-index"), metadata={"help": "Folder holding the index generations."}
    )
    excludes: tuple[str, ...] = field(
        default=(),
        metadata={"help": "Globs (relative to the site root) of files that are not pages."},
    )
    snippet_dirs: tuple[str, ...] = field(
        default=("snippets", "_snippets", "_includes"),
        metadata={"help": "Top-level folders whose files are includes, not pages."},
    )
    max_page_bytes: int = field(
        default=2_000_000, metadata={"help": "Pages larger than this are rejected."}
    )
    max_parse_seconds: float = field(
        default=20.0,
        metadata={"help": "A page that takes longer to parse is rejected (0 turns the limit off)."},
    )
    review_window_days: int = field(
        default=180, metadata={"help": "Days a validation stays fresh."}
    )
    warning_days: int = field(
        default=30, metadata={"help": "Days before the window ends when a page becomes due."}
    )
    section_policies: dict[str, SectionPolicy] = field(
        default_factory=dict, metadata={"help": "Per-section review window and warning period."}
    )
    exempt: tuple[str, ...] = field(
        default=(),
        metadata={"help": "Globs of URLs or paths exempt from review (e.g. API reference)."},
    )
    deprecated_terms: dict[str, str] = field(
        default_factory=lambda: dict(DEFAULT_DEPRECATED_TERMS),
        metadata={"help": "Deprecated term → its replacement."},
    )
    glossary_pages: tuple[str, ...] = field(
        default=(),
        metadata={"help": "Paths of glossary pages; empty means any page named glossary."},
    )
    max_vanish_share: float = field(
        default=0.5,
        metadata={"help": "Refuse to switch when more than this share of pages would disappear."},
    )
    stale_budget: int | None = field(
        default=None, metadata={"help": "Default --fail-over for `kb stale`."}
    )


def _coerce(name: str, value: Any) -> Any:
    """Turn a TOML or environment value into the type a field expects."""
    if value is None and name == "stale_budget":
        return None
    if name in {"site_root", "index_dir"}:
        return Path(value)
    if name in {"excludes", "snippet_dirs", "exempt", "glossary_pages"}:
        if isinstance(value, str):
            return tuple(v.strip() for v in value.split(",") if v.strip())
        return tuple(value)
    if name in {"max_page_bytes", "review_window_days", "warning_days", "stale_budget"}:
        return int(value)
    if name in {"max_vanish_share", "max_parse_seconds"}:
        return float(value)
    if name == "section_policies":
        return {
            key: SectionPolicy(int(p["review_window_days"]), int(p["warning_days"]))
            for key, p in dict(value).items()
        }
    if name == "deprecated_terms":
        return {str(k): str(v) for k, v in dict(value).items()}
    return value


def load_settings(
    site_root: Path | str | None = None,
    overrides: dict[str, Any] | None = None,
    environ: dict[str, str] | None = None,
) -> Settings:
    """Build settings from defaults, then kb.toml in the site root, then KB_* variables, then overrides."""
    env = os.environ if environ is None else environ
    values: dict[str, Any] = {}
    names = {f.name for f in fields(Settings)}
    root = site_root or env.get("KB_SITE_ROOT") or (overrides or {}).get("site_root")
    values["site_root"] = Path(root) if root else EXAMPLE_SITE
    toml_path = Path(values["site_root"]) / CONFIG_FILE
    if toml_path.is_file():
        data = tomllib.loads(toml_path.read_text(encoding="utf-8")).get("kb", {})
        extra_terms = data.pop("extra_deprecated_terms", None)
        unknown = set(data) - names
        if unknown:
            raise ValueError(f"{toml_path}: unknown settings {sorted(unknown)}")
        values.update({k: _coerce(k, v) for k, v in data.items()})
        if extra_terms:
            values["deprecated_terms"] = {**DEFAULT_DEPRECATED_TERMS, **extra_terms}
    for name in names - {"site_root"}:
        raw = env.get(f"KB_{name.upper()}")
        if raw is not None:
            values[name] = _coerce(name, raw)
    for key, value in (overrides or {}).items():
        if key not in names:
            raise ValueError(f"unknown setting {key!r}")
        values[key] = _coerce(key, value)
    return replace(Settings(), **values)


def describe_settings() -> list[tuple[str, str]]:
    """Return (name, help) for every setting, for documentation."""
    return [(f.name, f.metadata.get("help", "")) for f in fields(Settings)]


REPORT_SETTINGS = (
    "review_window_days",
    "warning_days",
    "section_policies",
    "exempt",
    "deprecated_terms",
    "stale_budget",
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


def settings_from_report(data: dict[str, Any] | None) -> Settings:
    """Rebuild Settings from report_settings() data stored in a generation."""
    values = {k: _coerce(k, v) for k, v in (data or {}).items() if k in REPORT_SETTINGS}
    return replace(Settings(), **values)
