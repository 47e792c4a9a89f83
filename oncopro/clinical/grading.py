"""Composite grade 0-3 from the frequency, severity and interference answers.

The tables are those of Basch et al., Clinical Trials 2021;18:104 (as in
CRAN ProAE `toxScores`), copied from REFERENCE.md section 2. Whichever
attributes were answered decide; when the first one asked (in the order
frequency, severity, interference) is 0, the grade is 0.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

FREQUENCY_ONLY = (0, 1, 1, 2, 3)
SEVERITY_ONLY = (0, 1, 2, 3, 3)
INTERFERENCE_ONLY = (0, 1, 1, 2, 2)

# Row: the first attribute (1..4); column: the second (0..4).
FREQUENCY_SEVERITY = {
    1: (1, 1, 1, 2, 2),
    2: (1, 1, 2, 2, 2),
    3: (1, 1, 2, 3, 3),
    4: (1, 1, 2, 3, 3),
}
SEVERITY_INTERFERENCE = {
    1: (1, 1, 1, 2, 2),
    2: (1, 1, 2, 2, 3),
    3: (1, 2, 2, 3, 3),
    4: (2, 2, 2, 3, 3),
}
FREQUENCY_INTERFERENCE = {
    1: (1, 1, 1, 2, 2),
    2: (1, 1, 1, 2, 2),
    3: (1, 1, 2, 3, 3),
    4: (1, 1, 2, 3, 3),
}
# [frequency][severity] -> by interference 0..4.
ALL_THREE = {
    1: {
        0: (0, 1, 1, 2, 2),
        1: (1, 1, 1, 2, 2),
        2: (1, 2, 2, 2, 3),
        3: (2, 2, 2, 3, 3),
        4: (2, 2, 3, 3, 3),
    },
    2: {
        0: (0, 1, 1, 2, 2),
        1: (1, 1, 1, 2, 2),
        2: (2, 2, 2, 3, 3),
        3: (2, 2, 2, 3, 3),
        4: (2, 2, 3, 3, 3),
    },
    3: {
        0: (1, 1, 1, 2, 2),
        1: (1, 1, 1, 2, 2),
        2: (2, 2, 2, 3, 3),
        3: (2, 2, 3, 3, 3),
        4: (2, 2, 3, 3, 3),
    },
    4: {
        0: (1, 1, 1, 2, 2),
        1: (1, 1, 2, 2, 3),
        2: (2, 2, 2, 3, 3),
        3: (2, 2, 3, 3, 3),
        4: (2, 2, 3, 3, 3),
    },
}

GRADED_FIELDS = ("frequency", "severity", "interference")


def composite_grade(answer: Mapping[str, Any]) -> int | None:
    """The grade of one symptom's answer, or None if no graded attribute was
    answered (not asked is not "none")."""
    key = (answer.get("frequency"), answer.get("severity"), answer.get("interference"))
    try:
        return _GRADE_BY_ANSWERS[key]
    except KeyError:  # not a 0-4 score: let the tables say what is wrong
        return grade_from_tables(*key)


def grade_from_tables(f: Any, s: Any, i: Any) -> int | None:
    """The tables read as REFERENCE.md section 2 gives them."""
    if f is None and s is None and i is None:
        return None
    first = f if f is not None else (s if s is not None else i)
    if first == 0:
        return 0
    if f is not None and s is not None and i is not None:
        return ALL_THREE[f][s][i]
    if f is not None and s is not None:
        return FREQUENCY_SEVERITY[f][s]
    if s is not None and i is not None:
        return SEVERITY_INTERFERENCE[s][i]
    if f is not None and i is not None:
        return FREQUENCY_INTERFERENCE[f][i]
    if f is not None:
        return FREQUENCY_ONLY[f]
    if s is not None:
        return SEVERITY_ONLY[s]
    assert i is not None
    return INTERFERENCE_ONLY[i]


_SCORES = (None, 0, 1, 2, 3, 4)
# Every combination of answered (0-4) and not asked (None), worked out once
# from the tables: triage grades every answer it reads.
_GRADE_BY_ANSWERS: dict[tuple[int | None, int | None, int | None], int | None] = {
    (f, s, i): grade_from_tables(f, s, i) for f in _SCORES for s in _SCORES for i in _SCORES
}


def band_0_10(rating: int) -> str:
    """ESAS-r style 0-10 rating bands (Selby, JPSM 2010)."""
    if not 0 <= rating <= 10:
        raise ValueError("A 0-10 rating must be between 0 and 10.")
    if rating == 0:
        return "none"
    if rating <= 3:
        return "mild"
    if rating <= 6:
        return "moderate"
    return "severe"
