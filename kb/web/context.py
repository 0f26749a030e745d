"""Request helpers shared by the blueprints: the generation a request reads, htmx-aware rendering."""

from __future__ import annotations

from typing import Any

from flask import Flask, Response, current_app, g, make_response, render_template
from flask_htmx import HTMX

from kb.glossary.listing import glossary_view
from kb.index.generation import Generation, GenerationWatcher
from kb.search import warm

htmx = HTMX()
WATCHER = "kb.watcher"


def watcher() -> GenerationWatcher:
    """Return the app's generation watcher."""
    found: GenerationWatcher = current_app.extensions[WATCHER]
    return found


def generation() -> Generation:
    """Return the generation this request reads, the same one all request long.

    It is acquired on first use and released when the request ends, so a generation switched
    out meanwhile is closed only after the requests still reading it (raises NoIndex when there
    is none).
    """
    found: Generation | None = g.get("kb_generation")
    if found is None:
        found = g.kb_generation = watcher().acquire()
    return found


def release_generation(_exc: BaseException | None = None) -> None:
    """Release the generation the request acquired, if it did."""
    found: Generation | None = g.pop("kb_generation", None)
    if found is not None:
        found.release()


def warm_generation(gen: Generation) -> None:
    """Open what a generation's first readers would otherwise wait for: search, the glossary."""
    glossary_view(gen)
    warm(gen)


def serve_warm(app: Flask) -> None:
    """Open and warm the served generation now (a worker does before its first request)."""
    app.extensions[WATCHER].refresh()


def init_app(app: Flask, watch: GenerationWatcher) -> None:
    """Give the app its watcher, htmx and the per-request generation."""
    app.extensions[WATCHER] = watch
    htmx.init_app(app)
    app.teardown_request(release_generation)


def wants_fragment() -> bool:
    """Tell whether to answer with a fragment: htmx asked, and not to restore history after Back."""
    return bool(htmx) and not htmx.history_restore_request


def render_page(full: str, fragment: str | None = None, **context: Any) -> Response:
    """Render the full page, or its partial for htmx, and mark the response as varying on HX-Request."""
    template = fragment if fragment is not None and wants_fragment() else full
    response = make_response(render_template(template, **context))
    vary_on_htmx(response)
    return response


def vary_on_htmx(response: Response) -> Response:
    """Mark a response whose body depends on the htmx request headers."""
    response.vary.add("HX-Request")
    response.vary.add("HX-History-Restore-Request")
    return response
