"""The triage result, in the shape of the contract (shared/spec/triage-json.md)."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
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
        return asdict(self)
