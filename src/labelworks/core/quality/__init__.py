"""Quality rules as pure functions: settings, machine validation rules, gold comparison, worker flags.

No database here: ``services/quality.py`` reads the rows and calls these.
"""
