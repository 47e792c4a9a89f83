"""Django's SQLite backend, with write transactions queued by the kernel (see base)."""
