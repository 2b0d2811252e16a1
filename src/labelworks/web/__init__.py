"""Server-rendered pages (Jinja2 + htmx) and the labeling page with its sandboxed task frame."""
