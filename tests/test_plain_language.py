"""Patient-facing text stays plain: a reading age of about 12.

Every string of the pack and the text of every patient-facing template is
scored with the Flesch-Kincaid grade (tests/readability.py): the median must
be 7 or below and no text above 9. The score is defined over sentences, so
texts of fewer than five words (labels such as "constipation", which score
32 for one long word people know) are not scored; placeholders are filled
with realistic values first.
"""

from __future__ import annotations

import html
import re
import statistics
from pathlib import Path

from oncopro.clinical import load_pack
from tests.readability import flesch_kincaid_grade

TEMPLATES = Path(__file__).resolve().parent.parent / "oncopro" / "templates"
PATIENT_TEMPLATES = [
    "base.html",
    "403.html",
    "404.html",
    "500.html",
    "accounts/login.html",
    "accounts/locked_out.html",
    "accounts/temperature_unit.html",
    "accounts/password_reset.html",
    "accounts/password_reset_sent.html",
    "accounts/password_reset_email.txt",
    "accounts/password_set.html",
    "accounts/password_set_done.html",
    "accounts/password_change.html",
    "care/patient.html",
    "care/caregivers.html",
    "care/confirm_remove.html",
    "care/caregiver_home.html",
    "care/checkin_day.html",
    "checkins/weekly.html",
    "checkins/_questions.html",
    "checkins/anytime_find.html",
    "checkins/anytime_answer.html",
    "checkins/follow_up.html",
    "checkins/history.html",
    "checkins/result.html",
    "alerts/_team_status.html",
    "reports/summary.html",
    "reports/_summary_body.html",
]
SAMPLE = {
    "temperature_c": "38.1",
    "therapies": "capecitabine",
    "Therapies": "Morphine",
    "symptom": "pain",
    "Symptom": "Pain",
}


def words(text: str) -> int:
    return len(re.findall(r"[A-Za-z']+", text))


def pack_texts() -> list[tuple[str, str]]:
    def fill(text: str) -> str:
        return re.sub(r"\{([^}]+)\}", lambda m: SAMPLE.get(m.group(1), "4"), text)

    return [(key, fill(text)) for key, text in load_pack().strings.items()]


def template_texts() -> list[tuple[str, str]]:
    texts = []
    for name in PATIENT_TEMPLATES:
        source = (TEMPLATES / name).read_text()
        source = re.sub(r"{%.*?%}", " ", source, flags=re.S)
        source = re.sub(r"{{.*?}}", "Alice", source, flags=re.S)
        source = re.sub(r"<(script|style)\b.*?</\1>", " ", source, flags=re.S)
        for chunk in re.split(r"<[^>]+>", source):
            chunk = " ".join(html.unescape(chunk).split())
            if chunk:
                texts.append((name, chunk))
    return texts


def scored() -> list[tuple[float, str, str]]:
    return [
        (flesch_kincaid_grade(text), where, text)
        for where, text in pack_texts() + template_texts()
        if words(text) >= 5
    ]


def test_patient_text_reads_at_about_age_12() -> None:
    scores = scored()
    assert len(scores) > 150
    median = statistics.median(score for score, _, _ in scores)
    assert median <= 7, median
    too_hard = [(round(s, 1), where, text) for s, where, text in scores if s > 9]
    assert not too_hard, too_hard


def test_the_scorer_tells_plain_from_hard() -> None:
    plain = "Take your laxative every day. Call us if you feel sick."
    hard = (
        "Pharmacological constipation prophylaxis necessitates concomitant administration "
        "of osmotic laxatives alongside opioid analgesia."
    )
    assert flesch_kincaid_grade(plain) < 5
    assert flesch_kincaid_grade(hard) > 15
