"""The index folder: generations on disk, the page store, the served generation."""
