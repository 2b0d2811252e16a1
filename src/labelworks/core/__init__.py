"""Pure domain: no I/O, no SQLAlchemy, no FastAPI."""
