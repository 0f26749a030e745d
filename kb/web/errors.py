"""Error pages: JSON under /api, HTML elsewhere, never a stack trace."""

from __future__ import annotations

import logging

from flask import Flask, Response, jsonify, make_response, render_template, request
from werkzeug.exceptions import HTTPException, InternalServerError

from kb.index.generations import NoIndex
from kb.web.locale import say
from kb.web.missing import not_found
from kb.words import said

log = logging.getLogger(__name__)


def _wants_json() -> bool:
    """Tell whether the failing request was one for the JSON API."""
    return request.path.startswith("/api/") or request.path == "/healthz"


def error_response(status: int, message: str) -> Response:
    """Build the error response in the format the request expects."""
    if _wants_json():
        response = jsonify({"error": message})
        response.status_code = status
        return response
    html = render_template("error.html", status=status, message=say(message))
    return make_response(html, status)


def init_app(app: Flask) -> None:
    """Register handlers for HTTP errors, a missing index and unexpected exceptions."""

    @app.errorhandler(HTTPException)
    def http_error(exc: HTTPException) -> Response:
        if exc.code == 404:
            helped = not_found(exc.description or exc.name)
            if helped is not None:
                return helped
        return error_response(exc.code or 500, exc.description or exc.name)

    @app.errorhandler(NoIndex)
    def no_index(exc: NoIndex) -> Response:
        return error_response(503, said("The index is not available: %(reason)s", reason=str(exc)))

    @app.errorhandler(Exception)
    def unexpected(exc: Exception) -> Response:
        log.exception("unhandled error on %s", request.path)
        return error_response(500, InternalServerError.description)
