"""The triage result, in the shape of the contract (shared/spec/triage-json.md)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True, slots=True)
class Finding:
    id: str
    urgency: str
    counts: bool
    site: str | None
    because: str
    inputs: dict[str, Any]
    source: str

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "urgency": self.urgency,
            "counts": self.counts,
            "site": self.site,
            "because": self.because,
            "inputs": _plain(self.inputs),
            "source": self.source,
        }


@dataclass(frozen=True, slots=True)
class TriageResult:
    checkin_id: str | None
    urgency: str
    contact: str
    suspected_sites: list[str]
    findings: list[Finding]
    ongoing: list[Finding]
    advice: list[str]
    grades: dict[str, int]
    pack: str
    warnings: list[str] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        """The contract's JSON object: new containers all the way down, as
        dataclasses.asdict would give (at a tenth of its cost: it copies
        every value through a generic recursion)."""
        return {
            "checkin_id": self.checkin_id,
            "urgency": self.urgency,
            "contact": self.contact,
            "suspected_sites": list(self.suspected_sites),
            "findings": [finding.to_json() for finding in self.findings],
            "ongoing": [finding.to_json() for finding in self.ongoing],
            "advice": list(self.advice),
            "grades": dict(self.grades),
            "pack": self.pack,
            "warnings": list(self.warnings),
        }


def _plain(inputs: dict[str, Any]) -> dict[str, Any]:
    """A copy of a finding's inputs (values are numbers, text, yes/no, or a
    list of drug names)."""
    return {key: list(value) if type(value) is list else value for key, value in inputs.items()}
