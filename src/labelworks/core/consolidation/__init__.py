"""Consolidation algorithms: pure functions over plain values."""
