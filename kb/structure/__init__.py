"""A site's structure from its own configuration: navigation (tabs, groups, pages) and redirects.

The readers (`mintlify`, `mkdocs` — the whole `mkdocs.yml`, extensions included —, `mkdocs_nav`,
`folders`, `sources`) run at index time and
store plain JSON in the generation; `nav` (the model and its served index) and `redirects` (the
matcher) are what the served side reads. This package imports none of its modules itself, so a
served module that imports `kb.structure.nav` never loads a YAML reader.
"""
