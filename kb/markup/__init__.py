"""The syntax of a source file that every stage reads alike: frontmatter, code fences, code spans,
prose lines. One rule each, so the MDX reader, the renderer and the checks never disagree."""
