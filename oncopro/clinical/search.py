"""Finding a symptom from the words a person uses ("yellow skin", "can't walk
straight"): the pack's labels and synonyms, matched word by word."""

from __future__ import annotations

import re
from functools import cache

from oncopro.clinical.pack import Pack
from oncopro.clinical.specs import SymptomSpec

# Words that carry no meaning for matching.
_IGNORED_WORDS = (
    "a an and the my i im am is are be been have has had got get getting feel feeling "
    "feels of in on at to it its me some very really bit little lot lots since new "
    "bad badly worse more much"
)
IGNORED = frozenset(_IGNORED_WORDS.split())
_WORD = re.compile(r"[a-z0-9]+")


def words_of(text: str) -> frozenset[str]:
    text = text.lower().replace("\u2019", "'")  # a phone's curly apostrophe
    text = re.sub(r"\b(can't|cannot|can not|cant)\b", "cant", text)
    text = re.sub(r"\b(won't|wont|will not)\b", "wont", text)
    text = re.sub(r"\b(haven't|havent|hasn't|hasnt|have not|has not|not)\b", "no", text)
    return frozenset(_stem(word) for word in _WORD.findall(text) if word not in IGNORED)


def _stem(word: str) -> str:
    """Plural and -ing forms count as the same word (lumps, lump; coughing, cough)."""
    for ending in ("ing", "es", "s"):
        if word.endswith(ending) and len(word) - len(ending) >= 3:
            return word[: -len(ending)]
    return word


@cache
def _phrases(pack: Pack) -> tuple[tuple[SymptomSpec, frozenset[str]], ...]:
    found = []
    for spec in pack.symptoms.values():
        for phrase in (spec.label, spec.id.replace("_", " "), *spec.synonyms):
            words = words_of(phrase)
            if words:
                found.append((spec, words))
    return tuple(found)


def find_symptoms(pack: Pack, text: str, limit: int = 5) -> list[SymptomSpec]:
    """Best matches first: every word of a known phrase found in what she
    typed scores highest; some words in common score less."""
    typed = words_of(text)
    if not typed:
        return []
    best: dict[str, float] = {}
    for spec, words in _phrases(pack):
        shared = len(typed & words)
        if not shared:
            continue
        score = shared / len(words) + shared / len(typed)
        if words <= typed:
            score += 1  # the whole phrase is there
        if score > best.get(spec.id, 0):
            best[spec.id] = score
    order = {symptom_id: position for position, symptom_id in enumerate(pack.symptoms)}
    ranked = sorted(best, key=lambda s: (-best[s], order[s]))
    return [pack.symptoms[symptom_id] for symptom_id in ranked[:limit]]
