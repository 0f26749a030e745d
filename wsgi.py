"""The WSGI entry point for any server: `gunicorn wsgi:app`."""

from kb.web import create_app

app = create_app()
