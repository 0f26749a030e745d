"""The Flask application factory."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from flask import Flask, Response

from kb.config import REPO_ROOT
from kb.index.generation import GenerationWatcher
from kb.params import ParamError
from kb.reports.staleness import STATUS_HELP, STATUS_LABELS, STATUS_ORDER


def create_app(test_config: dict[str, Any] | None = None) -> Flask:
    """Create the kb web app serving the index folder named by KB_INDEX_DIR or the test config.

    Nothing is opened here: a polling app's thread opens and warms the served generation (a
    gunicorn worker waits for it before its first request), else the first request opens it.
    """
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

    from kb.web import (
        assets,
        context,
        demand,
        docs,
        errors,
        glossary,
        home,
        locale,
        owners,
        reports,
        search,
        security,
    )

    # Checking CURRENT in the background lets an idle worker close a replaced generation too,
    # and open and warm a new one while requests still read the old; tests make many apps and
    # switch generations themselves, so they do without.
    polling = app.config.get("POLL_GENERATIONS", not app.testing)
    warm = context.warm_generation if polling else None
    watch = GenerationWatcher(Path(app.config["INDEX_DIR"]), warm=warm)
    if polling:
        watch.poll()
    context.init_app(app, watch)
    locale.init_app(app)
    security.init_app(app)
    assets.init_app(app)
    errors.init_app(app)
    demand.init_app(app)

    @app.errorhandler(ParamError)
    def bad_parameter(exc: ParamError) -> Response:
        """Answer a parameter that cannot be used with 400 and what to send instead."""
        return errors.error_response(400, str(exc))

    @app.context_processor
    def status_words() -> dict[str, Any]:
        """Give every template the review statuses in order, with their labels and help."""
        statuses = tuple(s.value for s in STATUS_ORDER)
        return {
            "statuses": statuses,
            "status_labels": locale.translated(STATUS_LABELS),
            "status_help": locale.translated(STATUS_HELP),
        }

    for module in (home, docs, glossary, reports, search, owners, demand):
        app.register_blueprint(module.bp)
    return app
