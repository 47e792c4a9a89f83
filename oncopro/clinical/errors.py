"""What can be wrong, by whom: a pack file or entry that does not load
(`PackError`, naming both), a condition the pack cannot use
(`ConditionError`, whose message the loader puts in a PackError), and a
case or answer that is not what the contract says (`CaseError`, naming the
field)."""

from __future__ import annotations


class PackError(ValueError):
    def __init__(self, file: str, entry: str, problem: str) -> None:
        self.file, self.entry, self.problem = file, entry, problem
        super().__init__(f"{file}: {entry}: {problem}")


class ConditionError(ValueError):
    """A condition the pack cannot use; the message says why, in plain words."""


class CaseError(ValueError):
    def __init__(self, where: str, problem: str) -> None:
        self.where, self.problem = where, problem
        super().__init__(f"{where}: {problem}")
