"""The compiled pack: its rules, spread patterns, advice and follow-up
questions, with the symptoms and therapies they are about (`specs.py`).
Built once by `loading.load_pack`, then only read."""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from oncopro.clinical.conditions import (
    Condition,
    Firing,
    RuleCode,
    View,
    compile_firing,
)
from oncopro.clinical.specs import SymptomSpec, TherapyCatalog

BUILTIN_PACK = Path(__file__).resolve().parent.parent / "packs" / "mbc"

LEVELS = ("routine", "soon", "urgent", "emergency")
LEVEL_RANK = {level: rank for rank, level in enumerate(LEVELS)}
SITES = ("bone", "lung", "liver", "brain", "local")


@dataclass(frozen=True)
class Case:
    condition: Condition
    because: str


@dataclass(frozen=True)
class Rule:
    key: str
    id: str
    implements: tuple[str, ...]
    level: str
    counts: bool
    symptom: str | None  # for rules repeated for each symptom of a group
    condition: Condition
    cases: tuple[Case, ...]
    because: str | None
    otherwise_ongoing: Condition | None
    otherwise_because: str | None
    alert_on_change: bool
    site: str | None
    even_if_known: bool
    source: str
    # It cannot hold unless one of these symptoms was answered (None: it can).
    needs: frozenset[str] | None = None
    # It reads what other rules found (`finding:`), so it is judged in turn.
    uses_findings: bool = False


@dataclass(frozen=True)
class AdviceCard:
    key: str
    condition: Condition
    title: str
    text: str
    source: str


@dataclass(frozen=True)
class FollowUp:
    """Questions the same report must ask once a trigger is reported
    (HOME-CARE.md section 1), because the rules in `needed_by` need them."""

    id: str  # F1...
    reported: frozenset[str]
    when: Condition | None
    only_if: Condition | None
    # symptom id -> the fields to ask, in order (all of them for a whole symptom)
    ask: Mapping[str, tuple[str, ...]]
    red_flags: frozenset[str]
    needed_by: tuple[str, ...]
    source: str


# Compared and hashed by identity: one pack object lives as long as the process.
@dataclass(frozen=True, eq=False)
class Pack:
    id: str
    version: str
    name: str
    languages: tuple[str, ...]
    lookback_days: int
    weekly_core: tuple[str, ...]
    symptoms: Mapping[str, SymptomSpec]
    temperature_id: str
    groups: Mapping[str, tuple[str, ...]]
    scales: Mapping[str, tuple[str, ...]]
    therapies: TherapyCatalog
    rules: tuple[Rule, ...]
    patterns: tuple[Rule, ...]
    advice: tuple[AdviceCard, ...]
    follow_ups: tuple[FollowUp, ...] = ()
    strings: Mapping[str, str] = field(default_factory=dict)
    path: Path = BUILTIN_PACK

    @property
    def label(self) -> str:
        return f"{self.id}@{self.version}"

    @functools.cached_property
    def all_rules(self) -> tuple[Rule, ...]:
        """Rules, then spread patterns: the order they are judged in."""
        return (*self.rules, *self.patterns)

    @functools.cached_property
    def fire_all(self) -> Callable[[View], list[Firing]]:
        """Every rule and pattern judged in order, as one function."""
        return compile_firing(
            [
                RuleCode(
                    names=(rule.id, rule.key),
                    condition=rule.condition,
                    otherwise_ongoing=rule.otherwise_ongoing,
                    needs=rule.needs,
                    snapshot=rule.uses_findings and bool(rule.cases),
                )
                for rule in self.all_rules
            ]
        )

    @functools.cached_property
    def lookback(self) -> dt.timedelta:
        """How far back "new or worse" and "alert on change" look."""
        return dt.timedelta(days=self.lookback_days)

    @functools.cached_property
    def graded_ids(self) -> frozenset[str]:
        """Symptoms with a frequency, severity or interference question."""
        return frozenset(s.id for s in self.symptoms.values() if not s.is_reading and s.graded)
