"""Flesch-Kincaid grade, for checking that patient-facing text stays plain.

The usual formula (0.39 x words per sentence + 11.8 x syllables per word -
15.59), with syllables counted by pyphen's hyphenation dictionary, which
ships inside the package. (textstat does the same, but for English first
downloads NLTK's pronunciation dictionary at run time, which a machine
without internet cannot do.)
"""

from __future__ import annotations

import re

import pyphen

_DICTIONARY = pyphen.Pyphen(lang="en_US")
_WORD = re.compile(r"[A-Za-z][A-Za-z']*")


def syllables(word: str) -> int:
    return max(1, len(_DICTIONARY.positions(word.lower())) + 1)


def flesch_kincaid_grade(text: str) -> float:
    words = _WORD.findall(text)
    if not words:
        return 0.0
    sentences = max(1, len(re.findall(r"[.!?]+(?:\s|$)", text.strip())) or 1)
    total_syllables = sum(syllables(word) for word in words)
    return 0.39 * len(words) / sentences + 11.8 * total_syllables / len(words) - 15.59
