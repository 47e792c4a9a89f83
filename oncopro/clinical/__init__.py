"""OncoPRO's clinical engine: pure Python, no Django.

pack = load_pack()                      # the built-in metastatic breast cancer pack
result = triage_json(pack, case_dict)   # the contract's input -> its output
"""

from __future__ import annotations

from typing import Any

from oncopro.clinical.case import CaseError, PatientContext, Report, TriageCase, parse_case
from oncopro.clinical.engine import triage, triage_case
from oncopro.clinical.errors import PackError
from oncopro.clinical.loading import load_pack
from oncopro.clinical.pack import Pack
from oncopro.clinical.result import Finding, TriageResult

__all__ = [
    "CaseError",
    "Finding",
    "Pack",
    "PackError",
    "PatientContext",
    "Report",
    "TriageCase",
    "TriageResult",
    "load_pack",
    "parse_case",
    "triage",
    "triage_case",
    "triage_json",
]


def triage_json(pack: Pack, data: Any) -> dict[str, Any]:
    """Validate one contract case and triage it; raises CaseError on bad input."""
    return triage_case(pack, parse_case(pack, data)).to_json()
