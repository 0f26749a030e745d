"""Reports for validation campaigns."""
