"""Labelworks: a self-hosted platform that turns human judgement into data for AI."""

__version__ = "0.1.0"
__all__ = ["__version__"]
