"""Composite grading, cell by cell, against the tables as REFERENCE.md writes them.

The expected tables are parsed from the text of REFERENCE.md section 2, so
this test checks the code against the source, not against a second copy.
"""

from __future__ import annotations

import itertools
import re

import pytest

from oncopro.clinical.grading import band_0_10, composite_grade
from tests.clinical.helpers import shared_file

Table = dict[tuple[int, ...], int]


def _values(text: str) -> list[int]:
    return [int(v) for v in text.split(",")]


def reference_tables() -> dict[str, Table]:
    text = shared_file("clinical/REFERENCE.md")
    section = " ".join(
        text.split("Composite grade 0-3", 1)[1].split('"Severe" in this page')[0].split()
    )
    tables: dict[str, Table] = {}
    singles = {
        "f": r"frequency only, f 0\.\.4: ([\d,]+)\.",
        "s": r"Severity only: ([\d,]+)\.",
        "i": r"Interference only: ([\d,]+)\.",
    }
    for name, pattern in singles.items():
        match = re.search(pattern, section)
        assert match, name
        tables[name] = {(a,): g for a, g in enumerate(_values(match.group(1)))}
    pairs = {
        "fs": r"frequency\+severity, sev 0\.\.4: (.*?)\. -",
        "si": r"severity\+interference, int 0\.\.4: (.*?)\. -",
        "fi": r"frequency\+interference, int 0\.\.4: (.*?)\. -",
    }
    for name, pattern in pairs.items():
        match = re.search(pattern, section)
        assert match, name
        table: Table = {}
        for row, values in re.findall(r"[fs](\d) ([\d,]+)", match.group(1)):
            for second, grade in enumerate(_values(values)):
                table[(int(row), second)] = grade
        tables[name] = table
    match = re.search(r"all three, int 0\.\.4 for each \(f, s\): (.*?)\. -", section)
    assert match
    table = {}
    for f_block in re.split(r"(?=f\d:)", match.group(1)):
        if not f_block.strip():
            continue
        f = int(f_block[1])
        for s, values in re.findall(r"s(\d) ([\d,]+)", f_block):
            for i, grade in enumerate(_values(values)):
                table[(f, int(s), i)] = grade
    tables["fsi"] = table
    return tables


TABLES = reference_tables()
FIELDS = {"f": "frequency", "s": "severity", "i": "interference"}


def test_the_reference_tables_were_read_whole() -> None:
    assert {name: len(t) for name, t in TABLES.items()} == {
        "f": 5, "s": 5, "i": 5, "fs": 20, "si": 20, "fi": 20, "fsi": 100,
    }  # fmt: skip


@pytest.mark.parametrize("name", list(TABLES))
def test_every_cell(name: str) -> None:
    for key, expected in TABLES[name].items():
        answer = {FIELDS[letter]: value for letter, value in zip(name, key, strict=True)}
        assert composite_grade(answer) == expected, (answer, expected)


@pytest.mark.parametrize("name", ["fs", "si", "fi"])
def test_first_attribute_zero_is_grade_zero(name: str) -> None:
    for second in range(5):
        answer = {FIELDS[name[0]]: 0, FIELDS[name[1]]: second}
        assert composite_grade(answer) == 0


def test_all_three_with_frequency_zero_is_grade_zero() -> None:
    for s, i in itertools.product(range(5), repeat=2):
        assert composite_grade({"frequency": 0, "severity": s, "interference": i}) == 0


def test_not_asked_is_not_none() -> None:
    assert composite_grade({}) is None
    assert composite_grade({"location": "hip"}) is None
    assert composite_grade({"severity": 0}) == 0


@pytest.mark.parametrize(
    ("rating", "band"),
    [(0, "none"), (1, "mild"), (3, "mild"), (4, "moderate"), (6, "moderate"), (7, "severe"),
     (10, "severe")],
)  # fmt: skip
def test_0_10_bands(rating: int, band: str) -> None:
    assert band_0_10(rating) == band


def test_0_10_out_of_range() -> None:
    with pytest.raises(ValueError, match="between 0 and 10"):
        band_0_10(11)
