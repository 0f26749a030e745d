"""Full-text search over a generation."""
