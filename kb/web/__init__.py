"""The Flask application factory."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from flask import Flask
from flask_htmx import HTMX

from kb.config import REPO_ROOT
from kb.index.generation import GenerationWatcher


def create_app(test_config: dict[str, Any] | None = None) -> Flask:
    """Create the kb web app serving the index folder named by KB_INDEX_DIR or the test config."""
    app = Flask(
        __name__,
        template_folder=str(REPO_ROOT / "templates"),
        static_folder=str(REPO_ROOT / "static"),
    )
    app.config.from_mapping(
        # FLASK_DEBUG in the environment must never turn debug on under gunicorn (`kb serve`).
        DEBUG=False,
        INDEX_DIR=os.environ.get("KB_INDEX_DIR", ".kb-index"),
        MAX_QUERY_LENGTH=512,
        JSON_SORT_KEYS=False,
    )
    if test_config is not None:
        app.config.from_mapping(test_config)
    app.json.sort_keys = False  # type: ignore[attr-defined]
    app.extensions["kb.watcher"] = GenerationWatcher(Path(app.config["INDEX_DIR"]))
    HTMX(app)

    from kb.web import docs, errors, glossary, home, reports, search, security

    security.init_app(app)
    errors.init_app(app)
    app.register_blueprint(home.bp)
    app.register_blueprint(docs.bp)
    app.register_blueprint(glossary.bp)
    app.register_blueprint(reports.bp)
    app.register_blueprint(search.bp)
    return app
