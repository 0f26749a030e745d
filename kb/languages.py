"""A site's languages: codes, labels, the default, and how a reader's language is chosen.

A language code is a site's own tag, lowercased (`en`, `fr-ca`, `ja-jp`): what its folders and
`lang=` parameters use. Analysis only needs the primary subtag (`fr`, `ja`). The build decides
each page's language (kb.build.languages) and stores the site's languages in the generation;
everything served reads them back through SiteLanguages.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

DEFAULT_LANGUAGE = "en"
_CODE = re.compile(r"^[a-z]{2,3}(?:-[a-z0-9]{2,8})*$")
# Autonyms, as a language switcher shows them; a site's kb.toml or config may name others.
AUTONYMS = {
    "en": "English",
    "fr": "Français",
    "fr-ca": "Français (Canada)",
    "de": "Deutsch",
    "es": "Español",
    "it": "Italiano",
    "pt": "Português",
    "pt-br": "Português (Brasil)",
    "nl": "Nederlands",
    "sv": "Svenska",
    "ru": "Русский",
    "ja": "日本語",
    "ja-jp": "日本語",
    "zh": "中文",
    "zh-cn": "简体中文",
    "zh-tw": "繁體中文",
    "ko": "한국어",
    "ko-kr": "한국어",
}
CJK_LANGUAGES = frozenset({"ja", "zh", "ko"})
_QUALITY = re.compile(r"^\s*q\s*=\s*([0-9.]+)\s*$")


def normalize_code(raw: object) -> str | None:
    """Return a language code lowercased with hyphens (fr_CA → fr-ca), or None when it is not one."""
    if not isinstance(raw, str):
        return None
    code = raw.strip().replace("_", "-").lower()
    return code if _CODE.match(code) else None


def base_language(code: str) -> str:
    """Return the primary subtag of a code: what stemmers and segmenters are chosen by."""
    return code.split("-", 1)[0]


def label_of(code: str) -> str:
    """Return a language's own name for a code, or the code itself."""
    return AUTONYMS.get(code) or AUTONYMS.get(base_language(code)) or code


@dataclass(frozen=True)
class SiteLanguages:
    """The languages of one generation: codes in site order, the default, labels."""

    default: str = DEFAULT_LANGUAGE
    codes: tuple[str, ...] = (DEFAULT_LANGUAGE,)
    labels: Mapping[str, str] = field(default_factory=dict)

    def label(self, code: str) -> str:
        """Return the label a site gives a language, else its autonym."""
        return self.labels.get(code) or label_of(code)

    def known(self, raw: object) -> str | None:
        """Return a site language matching a code (exactly, or by primary subtag), else None."""
        code = normalize_code(raw)
        if code is None:
            return None
        if code in self.codes:
            return code
        base = base_language(code)
        return next((c for c in self.codes if base_language(c) == base), None)

    def from_accept(self, header: str | None) -> str | None:
        """Return the site language a browser's Accept-Language prefers, or None."""
        for code in accepted_languages(header or ""):
            found = self.known(code)
            if found is not None:
                return found
        return None

    def to_json(self) -> dict[str, Any]:
        """Return the languages as JSON-ready data (stored in the generation)."""
        return {
            "default": self.default,
            "languages": [{"code": c, "label": self.label(c)} for c in self.codes],
        }

    @classmethod
    def from_json(cls, data: object) -> SiteLanguages:
        """Rebuild from to_json() data; anything unreadable gives the default (English only)."""
        if not isinstance(data, Mapping):
            return cls()
        default = normalize_code(data.get("default")) or DEFAULT_LANGUAGE
        rows = [r for r in data.get("languages") or [] if isinstance(r, Mapping)]
        codes = [c for r in rows if (c := normalize_code(r.get("code")))]
        labels = {
            c: str(r["label"])
            for r in rows
            if (c := normalize_code(r.get("code"))) and r.get("label")
        }
        return cls(default, ordered_codes(default, codes), labels)


def ordered_codes(default: str, codes: Iterable[str]) -> tuple[str, ...]:
    """Return the default code first, then the others in the order given, once each."""
    return tuple(dict.fromkeys([default, *codes]))


def accepted_languages(header: str) -> list[str]:
    """Return the codes of an Accept-Language header, most wanted first (q=0 left out)."""
    ranked: list[tuple[float, int, str]] = []
    for order, part in enumerate(header.split(",")[:32]):
        tag, _, params = part.partition(";")
        code = normalize_code(tag)
        if code is None:
            continue
        quality = 1.0
        if found := _QUALITY.match(params):
            try:
                quality = float(found.group(1))
            except ValueError:
                continue
        if quality > 0:
            ranked.append((-quality, order, code))
    return [code for _, _, code in sorted(ranked)]
