"""Request helpers shared by the blueprints: the current generation, htmx-aware rendering."""

from __future__ import annotations

from typing import Any

from flask import Response, current_app, make_response, render_template, request

from kb.index.generation import Generation, GenerationWatcher


def generation() -> Generation:
    """Return the generation this request reads (raises NoIndex when there is none)."""
    watcher: GenerationWatcher = current_app.extensions["kb.watcher"]
    return watcher.current()


def is_htmx() -> bool:
    """Tell whether the request came from htmx (and wants a fragment)."""
    return request.headers.get("HX-Request") == "true"


def wants_fragment() -> bool:
    """Tell whether to answer with a fragment: htmx asked, and not to restore history after Back."""
    return is_htmx() and request.headers.get("HX-History-Restore-Request") != "true"


def render_page(full: str, fragment: str | None = None, **context: Any) -> Response:
    """Render the full page, or its partial for htmx, and mark the response as varying on HX-Request."""
    template = fragment if fragment is not None and wants_fragment() else full
    response = make_response(render_template(template, **context))
    response.vary.add("HX-Request")
    response.vary.add("HX-History-Restore-Request")
    return response
