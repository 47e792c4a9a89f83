"""The two ways a pack can be wrong: a file or entry that does not load
(`PackError`, naming both) and a condition the pack cannot use
(`ConditionError`, whose message the loader puts in a PackError)."""

from __future__ import annotations


class PackError(ValueError):
    def __init__(self, file: str, entry: str, problem: str) -> None:
        self.file, self.entry, self.problem = file, entry, problem
        super().__init__(f"{file}: {entry}: {problem}")


class ConditionError(ValueError):
    """A condition the pack cannot use; the message says why, in plain words."""
