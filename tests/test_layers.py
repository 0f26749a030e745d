"""What a web worker loads: after serving pages, search and reports, none of the build chain."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

SERVE_AND_LIST = """
import json, sys
from kb.web import create_app
client = create_app({"TESTING": True, "INDEX_DIR": sys.argv[1]}).test_client()
for url in ("/", "/docs/get-started/quickstart", "/search?q=flag", "/api/search?q=kil+swich",
            "/glossary", "/glossary/segment", "/reports/stale", "/reports/terms", "/reports/links",
            "/reports/glossary", "/api/suggest?q=fla"):
    assert client.get(url).status_code == 200, url
print(json.dumps(sorted(sys.modules)))
"""
BUILD_CHAIN = (
    "kb.build",
    "kb.structure.sources",
    "kb.structure.mintlify",
    "kb.structure.mkdocs",
    "kb.structure.mkdocs_nav",
    "kb.structure.folders",
    "kb.structure.jsonref",
    "kb.mdx",
    "kb.render.markdown",
    "kb.glossary.reader",
    "kb.reports.links",
)
# rapidfuzz may load: the helpful 404 compares URLs with it (see the import contracts).
PARSERS = ("markdown", "pymdownx", "frontmatter", "yaml", "watchdog")


def test_a_serving_process_never_loads_the_build_chain(example_index: Path) -> None:
    """lint-imports checks the imports as written; this checks what a worker really loads."""
    result = subprocess.run(
        [sys.executable, "-c", SERVE_AND_LIST, str(example_index)],
        capture_output=True,
        text=True,
        check=True,
    )
    loaded = json.loads(result.stdout)
    assert "kb.search.searcher" in loaded and "whoosh" in loaded  # it did search
    chain = [m for m in loaded if m.startswith(BUILD_CHAIN)]
    parsers = [m for m in loaded if m.split(".")[0] in PARSERS]
    assert chain == [] and parsers == []
