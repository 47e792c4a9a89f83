"""Django's PostgreSQL backend, checking a kept connection without a query.

Connections are kept between requests, and Django's health check makes sure
one still works before a request uses it: with PostgreSQL it sends
`SELECT 1` and waits for the answer, one round trip on every request. On the
2-core reference machine, under load, that was about a sixth of a check-in
submission's round trips and ~0.13 ms of its CPU.

The way a kept connection dies here is the server ending it: a restart, an
administrator's `pg_terminate_backend`, an idle timeout. Each time the
server sends its goodbye (an error message, then the end of the stream) on
the socket. A connection between requests has nothing left to read, so a
socket with something to read is a connection to drop: the check asks the
kernel whether there is anything, without waiting. Anything at all (even a
harmless notice) counts as broken: a new connection costs a few
milliseconds, a broken one costs a failed request.

What this cannot see is a connection cut without a word (a network between
the two machines going down): that request fails once, and Django drops the
connection at its end, as it does for any error.
"""

from __future__ import annotations

import select

from django.db.backends.postgresql import base


class DatabaseWrapper(base.DatabaseWrapper):
    def is_usable(self) -> bool:
        if self.connection is None or self.connection.closed or self.connection.broken:
            return False
        return not server_has_spoken(self.connection.fileno())


def server_has_spoken(fd: int) -> bool:
    """Whether the socket has something to read (or has ended), right now."""
    try:
        readable, _, _ = select.select([fd], [], [], 0)
    except (OSError, ValueError):
        return True  # the socket is gone
    return bool(readable)
