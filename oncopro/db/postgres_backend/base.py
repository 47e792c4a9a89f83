"""Django's PostgreSQL backend, with two changes for requests that come again
and again (a check-in submission above all): statements are prepared, and a
kept connection is checked without a query.

Prepared statements. Django sends every query with its values written in
(client-side binding) and PostgreSQL plans it anew each time. For the
submission's short queries the planning cost more than running them: per
submission ~150 us of planning against ~85 us of execution
(pg_stat_statements). Here values are sent apart from the SQL
(psycopg's server-side binding), and a statement sent a fifth time on a
connection is prepared: PostgreSQL keeps its plan and runs it by name. In
an A/B on the same machine a submission's database CPU went from 0.57 to
0.28 ms, and the web worker's from 1.05 to 1.00 ms. Django leaves this off
because a connection pooler in transaction mode (PgBouncer before 1.21)
cannot keep a connection's statements: behind one, set
DATABASE_PREPARED_STATEMENTS=off (docs/configuration.md).

The health check. Connections are kept between requests, and Django's
health check makes sure one still works before a request uses it: with
PostgreSQL it sends `SELECT 1` and waits for the answer, one round trip on
every request. On the 2-core reference machine, under load, that was about
a sixth of a check-in submission's round trips and ~0.13 ms of its CPU.

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
from typing import Any

from django.db.backends.postgresql import base

# Django's OPTIONS for psycopg: send values apart from the SQL, and prepare a
# statement the fifth time it is sent on a connection (psycopg's own default
# threshold; it keeps the 100 most recent per connection).
PREPARED_STATEMENTS: dict[str, Any] = {"server_side_binding": True, "prepare_threshold": 5}


class DatabaseWrapper(base.DatabaseWrapper):
    def __init__(self, settings_dict: dict[str, Any], *args: Any, **kwargs: Any) -> None:
        options = settings_dict.setdefault("OPTIONS", {})
        for name, value in PREPARED_STATEMENTS.items():
            options.setdefault(name, value)  # what settings say wins
        super().__init__(settings_dict, *args, **kwargs)

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
