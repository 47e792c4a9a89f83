"""Writes for the visit summary: her questions, audited."""

from __future__ import annotations

from django.db import transaction

from oncopro.accounts.audit import Actor, record
from oncopro.accounts.models import User
from oncopro.care.models import Patient
from oncopro.reports.models import VisitQuestion

MAX_QUESTIONS = 20


class QuestionError(ValueError):
    """The message is fit to show."""


def _clean(text: str) -> str:
    text = " ".join(text.split())
    if not text:
        raise QuestionError("Type your question first.")
    if len(text) > 300:
        raise QuestionError("Please keep a question under 300 letters. You can add another one.")
    return text


@transaction.atomic
def add_question(patient: Patient, text: str, *, author: User, by: Actor) -> VisitQuestion:
    if VisitQuestion.objects.filter(patient=patient).count() >= MAX_QUESTIONS:
        raise QuestionError(
            f"You have {MAX_QUESTIONS} questions already. Remove one to add another."
        )
    question = VisitQuestion.objects.create(patient=patient, text=_clean(text), written_by=author)
    record(by, "visit_question.add", patient_ref=patient.public_id, obj=question)
    return question


@transaction.atomic
def edit_question(question: VisitQuestion, text: str, *, by: Actor) -> VisitQuestion:
    question.text = _clean(text)
    question.save(update_fields=["text"])
    record(by, "visit_question.edit", patient_ref=question.patient.public_id, obj=question)
    return question


@transaction.atomic
def remove_question(question: VisitQuestion, *, by: Actor) -> None:
    record(by, "visit_question.remove", patient_ref=question.patient.public_id, obj=question)
    question.delete()
