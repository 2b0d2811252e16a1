"""Plugin hooks (pluggy). Built-ins register through the same hooks as third-party plugins."""
