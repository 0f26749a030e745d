"""MDX to Markdown."""
