"""Services: one module per bounded context. They own transactions and raise core.errors."""
