"""Server-rendered web UI: Jinja2 + vendored HTMX."""
