"""The weekly check-in page and the answer that follows it."""

from __future__ import annotations

import uuid
from typing import Any, cast

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from oncopro.accounts.audit import Actor
from oncopro.accounts.models import User
from oncopro.care.access import Rule, access
from oncopro.care.models import Patient
from oncopro.checkins.actions import CheckInConflict, submit_checkin
from oncopro.checkins.forms import AnswerError, SymptomBlock, answers_from, fill, weekly_blocks
from oncopro.checkins.models import CheckIn
from oncopro.clinical import CaseError, load_pack


@access(Rule.REPORTER)
def weekly_checkin(request: HttpRequest, patient: Patient) -> HttpResponse:
    pack = load_pack()
    blocks = weekly_blocks(pack)
    problem = ""
    client_id = _client_id(request.POST.get("client_id")) if request.method == "POST" else None
    if request.method == "POST":
        fill(blocks, request.POST)
        try:
            answers = answers_from(pack, blocks, request.POST)
            if not answers:
                problem = "Please answer at least one question, then send it."
            else:
                done = submit_checkin(
                    patient,
                    author=cast(User, request.user),
                    client_id=client_id or uuid.uuid4(),
                    answers=answers,
                    by=Actor.from_request(request),
                )
                return redirect(
                    "checkins:result",
                    patient_id=patient.public_id,
                    checkin_id=done.checkin.client_id,
                )
        except AnswerError as error:
            problem = _mark(blocks, error.name, error.message)
        except CaseError as error:
            name = error.where.removeprefix("checkin.answers.")
            problem = _mark(blocks, name, f"Please check this answer: it {error.problem}.")
        except CheckInConflict as error:
            problem = error.message
    return render(
        request,
        "checkins/weekly.html",
        {
            "patient": patient,
            "blocks": blocks,
            "client_id": client_id or uuid.uuid4(),
            "problem": problem,
            "for_someone_else": patient.user_id != request.user.pk,
        },
    )


def _client_id(value: Any) -> uuid.UUID | None:
    try:
        return uuid.UUID(str(value))
    except ValueError:
        return None


def _mark(blocks: list[SymptomBlock], name: str, message: str) -> str:
    """Put the message next to its question; the summary at the top points to it."""
    for block in blocks:
        for question in block.questions:
            if question.name == name or name.startswith(question.name + "."):
                question.error = message
                return f"One answer needs another look: {block.label}."
    return message


NEXT_STEP = {
    "emergency": "emergency",
    "urgent": "call_now",
    "soon": "within_24h",
    "routine": "routine",
}


@access(Rule.PATIENT)
def checkin_result(request: HttpRequest, patient: Patient, checkin_id: uuid.UUID) -> HttpResponse:
    checkin = CheckIn.objects.filter(patient=patient, client_id=checkin_id).first()
    if checkin is None:
        raise Http404
    pack = load_pack()
    cards = {card.key: card for card in pack.advice}
    result = checkin.result
    team = patient.care_team
    in_hospice = checkin.contact.startswith("hospice")
    return render(
        request,
        "checkins/result.html",
        {
            "patient": patient,
            "checkin": checkin,
            "step": NEXT_STEP[checkin.urgency],
            "in_hospice": in_hospice,
            "team": team,
            "emergency_number": team.clinic.emergency_number,
            "findings": result["findings"],
            "ongoing": result["ongoing"],
            "advice": [cards[key] for key in result["advice"] if key in cards],
            "is_self": patient.user_id == request.user.pk,
        },
    )
