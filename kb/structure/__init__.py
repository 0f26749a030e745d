"""The site around the pages: its navigation, redirects and configuration."""
