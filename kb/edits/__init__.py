"""Edits to a site's source pages: `kb validate` stamps, `kb fix-terms` rewrites.

This package reads and writes sources, beside `kb.build`; nothing served imports it. Every edit
is planned in memory first (old bytes, new bytes, or a refusal with its reason), shown as a
unified diff, and written only when asked, atomically.
"""
