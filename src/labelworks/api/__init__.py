"""The HTTP API (FastAPI). ``create_app(settings)`` is the only entry point."""
