"""The harness runs the suite on the database it was asked for."""

from __future__ import annotations

import threading

import pytest
from django.db import connection, connections


def test_the_tests_use_the_database_asked_for(db: None, expected_vendor: str) -> None:
    assert connection.vendor == expected_vendor


@pytest.mark.django_db(transaction=True)
def test_other_threads_use_it_too(expected_vendor: str) -> None:
    seen: list[str] = []

    def look() -> None:
        seen.append(connections["default"].vendor)
        connections["default"].close()

    thread = threading.Thread(target=look)
    thread.start()
    thread.join()
    assert seen == [expected_vendor]
