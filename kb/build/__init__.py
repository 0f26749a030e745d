"""Build a new index generation from a site's sources."""
