"""A small multilingual docs site written for the tests: English, French, Japanese, Chinese, Korean.

French and Japanese are declared the Mintlify way (docs.json `navigation.languages`, `$ref`s,
folders docs/fr-ca and docs/ja-jp); Chinese and Korean by kb.toml globs; one page by its own
`lang` key. The French and Japanese glossaries live in a JSX snippet component.
"""

from __future__ import annotations

import json
from pathlib import Path

PAGES = {
    "docs/index.mdx": (
        "Welcome",
        "Start here.",
        "The docs of the Widget service. Rules are gone; see [old](/docs/gone).",
    ),
    "docs/tokens/refresh-tokens.mdx": (
        "Refresh Token Rotation",
        "Rotate refresh tokens on every use.",
        "## Configure rotation\n\nTurn on refresh token rotation for each application. "
        'A <Tooltip tip="Access Token: a credential an app sends to an API." '
        'href="/docs/glossary?term=Access%20Token">access token</Tooltip> is short lived.',
    ),
    "docs/tokens/identity.mdx": (
        "Identity providers",
        "Connect identity providers.",
        "## Connections\n\nEach identity provider is a connection. Use `useState` in React.",
    ),
    "docs/glossary.mdx": (
        "Glossary",
        "Terms used in these docs.",
        '<GlossaryPage terms={[\n  { term: "Access Token", description: "A credential an '
        'app sends to an API." },\n  { term: "Tenant", description: "An isolated copy of the '
        'service for one customer." },\n]} />',
    ),
    "docs/fr-ca/index.mdx": ("Bienvenue", "Commencez ici.", "La documentation du service Widget."),
    "docs/fr-ca/tokens/refresh-tokens.mdx": (
        "Rotation des jetons d’actualisation",
        "Changez les jetons d’actualisation à chaque utilisation.",
        "## Configurer la rotation\n\nActivez la rotation des jetons pour chaque application. "
        "Vérifiez l’identité de l’utilisateur avant d’émettre les jetons. "
        'Un <Tooltip tip="Jeton d’accès : un justificatif qu’une application envoie." '
        'href="/docs/glossary?term=Access%20Token">jeton d’accès</Tooltip> expire vite.',
    ),
    "docs/fr-ca/tokens/identity.mdx": (
        "Fournisseurs d’identité",
        "Connectez des fournisseurs d’identité.",
        "## Connexions\n\nChaque fournisseur d'identité est une connexion. Les identités "
        "fédérées sont vérifiées. Les Rules sont remplacées ; voir [la page](/docs/fr-ca/nulle-part).",
    ),
    "docs/fr-ca/glossary.mdx": (
        "Glossaire",
        "Les termes de la documentation.",
        'import {GlossaryFR} from "/snippets/Glossary.jsx";\n\nLes termes.\n\n<GlossaryFR />',
    ),
    "docs/ja-jp/index.mdx": (
        "ようこそ",
        "ここから始めます。",
        "Widgetサービスのドキュメントです。",
    ),
    "docs/ja-jp/tokens/refresh-tokens.mdx": (
        "リフレッシュトークンのローテーション",
        "使用するたびにリフレッシュトークンを交換します。",
        "## ローテーションを構成する\n\nアプリケーションごとにRefresh Token Rotationを有効に"
        "します。APIを呼び出す前にuseStateでアクセストークンを保存します。",
    ),
    "docs/ja-jp/tokens/identity.mdx": (
        "IDプロバイダー",
        "IDプロバイダーを接続します。",
        "## 接続\n\n各IDプロバイダーは接続です。認証サーバーが確認します。",
    ),
    "docs/ja-jp/glossary.mdx": (
        "用語集",
        "ドキュメントの用語。",
        'import {GlossaryJA} from "/snippets/Glossary.jsx";\n\n用語です。\n\n<GlossaryJA />',
    ),
    "docs/zh/tokens/refresh-tokens.mdx": (
        "刷新令牌轮换",
        "每次使用时轮换刷新令牌。",
        "## 配置轮换\n\n为每个应用程序启用刷新令牌轮换。身份验证服务器会检查令牌。",
    ),
    "docs/ko/tokens/refresh-tokens.mdx": (
        "리프레시 토큰 교체",
        "사용할 때마다 리프레시 토큰을 교체합니다.",
        "## 교체 구성\n\n애플리케이션마다 토큰교체를 켭니다. 인증서버가 토큰을 확인합니다. "
        "[링크](/docs/ko/없음)",
    ),
    "docs/notes/note-de.mdx": (
        "Anmeldungen prüfen",
        "Anmeldungen werden geprüft.",
        "Die Anmeldungen der Benutzer werden täglich geprüft.",
    ),
}
GLOSSARY_JSX = """export const GlossaryPage = () => {
  return <div>Glossary</div>;
};

export const GlossaryFR = () => {
  const GLOSSARY = [
    {
      term: "Jeton d’accès",
      description: "Justificatif qu’une application envoie à une API.",
    },
    {
      term: "Locataire",
      description: "Copie isolée du service pour un client.",
    },
  ];
  return <ul>{GLOSSARY.map((t) => <li>{t.term}</li>)}</ul>;
};

export const GlossaryJA = () => {
  const GLOSSARY = [
    { term: "アクセストークン", description: "アプリケーションがAPIに送る資格情報。" },
    { term: "テナント", description: "顧客ごとに分離されたサービスのコピー。" },
  ];
  return <ul>{GLOSSARY.map((t) => <li>{t.term}</li>)}</ul>;
};
"""


def write_site(root: Path) -> Path:
    """Write the site under root and return root."""
    for rel, (title, description, body) in PAGES.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        extra = "lang: de\n" if rel.endswith("note-de.mdx") else ""
        front = f"---\ntitle: {json.dumps(title)}\ndescription: {json.dumps(description)}\n"
        path.write_text(f"{front}{extra}---\n\n{body}\n", encoding="utf-8")
    (root / "snippets").mkdir()
    (root / "snippets" / "Glossary.jsx").write_text(GLOSSARY_JSX, encoding="utf-8")
    (root / "config").mkdir()
    navs = {
        "en": ["docs/index", "docs/tokens/refresh-tokens", "docs/tokens/identity"],
        "fr": ["docs/fr-ca/index", "docs/fr-ca/tokens/refresh-tokens", "docs/fr-ca/glossary"],
        "ja": ["docs/ja-jp/index", "docs/ja-jp/tokens/refresh-tokens", "docs/ja-jp/glossary"],
    }
    refs = []
    for code, pages in navs.items():
        name = f"config/nav.{code}.json"
        nav = {
            "language": code,
            "tabs": [{"tab": "Docs", "groups": [{"group": "G", "pages": pages}]}],
        }
        (root / name).write_text(json.dumps(nav), encoding="utf-8")
        refs.append({"$ref": name})
    config = {"name": "Widget", "navigation": {"languages": refs}}
    (root / "docs.json").write_text(json.dumps(config), encoding="utf-8")
    (root / "kb.toml").write_text(
        '[kb]\nlanguages = {zh = ["docs/zh/**"], ko = ["docs/ko/**"]}\n', encoding="utf-8"
    )
    return root
