"""The weekly check-in page and the answer that follows it."""

from __future__ import annotations

import uuid
from typing import Any, cast

from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from oncopro.accounts.audit import Actor
from oncopro.accounts.models import User
from oncopro.alerts.queries import view_for_checkin
from oncopro.care.access import Rule, access
from oncopro.care.models import Patient
from oncopro.checkins.actions import CheckInConflict, submit_checkin
from oncopro.checkins.forms import (
    WITH_TEMPERATURE,
    AnswerError,
    SymptomBlock,
    answers_from,
    blocks_for,
    fill,
    other_blocks,
    weekly_blocks,
)
from oncopro.checkins.history import recent_checkins, trends
from oncopro.checkins.models import CheckIn
from oncopro.clinical import CaseError, load_pack
from oncopro.clinical.search import find_symptoms


@access(Rule.REPORTER)
def weekly_checkin(request: HttpRequest, patient: Patient) -> HttpResponse:
    pack = load_pack()
    blocks = weekly_blocks(pack)
    others = other_blocks(pack)
    client_id = _client_id(request.POST.get("client_id"))
    problem = ""
    if request.method == "POST":
        sent, problem = _send(request, patient, blocks + others, client_id, CheckIn.Kind.WEEKLY)
        if sent is not None:
            return sent
    return render(
        request,
        "checkins/weekly.html",
        {
            "patient": patient,
            "blocks": blocks,
            "others": others,
            "core": pack.weekly_core,
            "last": (pack.temperature_id, *WITH_TEMPERATURE),
            "client_id": client_id or uuid.uuid4(),
            "problem": problem,
            "notes": _notes(request),
            "for_someone_else": patient.user_id != request.user.pk,
        },
    )


@access(Rule.REPORTER)
@require_POST
def find_symptom(request: HttpRequest, patient: Patient) -> JsonResponse:
    """Matches for "anything else?", for the page's script. A POST, so her
    words stay out of URLs and logs."""
    pack = load_pack()
    words = request.POST.get("words", "")[:200]
    matches = [
        {"id": spec.id, "label": spec.label[0].upper() + spec.label[1:]}
        for spec in find_symptoms(pack, words)
    ]
    return JsonResponse({"matches": matches})


@access(Rule.REPORTER)
def something_changed(request: HttpRequest, patient: Patient) -> HttpResponse:
    """An anytime report: she says what is wrong in her own words, picks the
    symptom it means, answers its questions. Every step is a POST, so what
    she types never appears in a URL."""
    pack = load_pack()
    step = request.POST.get("step", "find")
    typed = request.POST.get("words", "").strip()[:200]
    symptom_id = request.POST.get("symptom", "")
    client_id = _client_id(request.POST.get("client_id"))
    context: dict[str, Any] = {
        "patient": patient,
        "words": typed,
        "for_someone_else": patient.user_id != request.user.pk,
        "everything": sorted(pack.symptoms.values(), key=lambda spec: spec.label.lower()),
    }
    if request.method == "POST" and step in ("answer", "send") and symptom_id in pack.symptoms:
        ids = [symptom_id]
        if symptom_id != pack.temperature_id:
            ids.append(pack.temperature_id)  # a temperature, when she has one
        blocks = blocks_for(pack, ids)
        problem = ""
        if step == "send":
            sent, problem = _send(request, patient, blocks, client_id, CheckIn.Kind.ANYTIME)
            if sent is not None:
                return sent
        context |= {
            "blocks": blocks,
            "symptom": pack.symptoms[symptom_id],
            "client_id": client_id or uuid.uuid4(),
            "problem": problem,
            "notes": _notes(request),
        }
        return render(request, "checkins/anytime_answer.html", context)
    if request.method == "POST" and step == "find":
        context["matches"] = find_symptoms(pack, typed)
        context["searched"] = True
    return render(request, "checkins/anytime_find.html", context)


def _send(
    request: HttpRequest,
    patient: Patient,
    blocks: list[SymptomBlock],
    client_id: uuid.UUID | None,
    kind: str,
) -> tuple[HttpResponse | None, str]:
    """Submit the form's answers: (redirect to the answer, "") or (None, what
    to fix). What she typed stays in the blocks either way."""
    pack = load_pack()
    fill(blocks, request.POST)
    try:
        answers = answers_from(pack, blocks, request.POST)
        if not answers:
            return None, "Please answer at least one question, then send it."
        done = submit_checkin(
            patient,
            author=cast(User, request.user),
            client_id=client_id or uuid.uuid4(),
            answers=answers,
            kind=kind,
            notes=_notes(request),
            by=Actor.from_request(request),
        )
    except AnswerError as error:
        return None, _mark(blocks, error.name, error.message)
    except CaseError as error:
        name = error.where.removeprefix("checkin.answers.")
        return None, _mark(blocks, name, f"Please check this answer: it {error.problem}.")
    except CheckInConflict as error:
        return None, error.message
    response = redirect(
        "checkins:result", patient_id=patient.public_id, checkin_id=done.checkin.client_id
    )
    return response, ""


NOTE_FIELDS = ("pain_feels_like", "pain_what_helps")


def _notes(request: HttpRequest) -> dict[str, str]:
    return {name: request.POST.get(f"note.{name}", "") for name in NOTE_FIELDS}


def _client_id(value: Any) -> uuid.UUID | None:
    if not value:
        return None
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
def history(request: HttpRequest, patient: Patient) -> HttpResponse:
    checkins = recent_checkins(patient)
    table = trends(checkins)
    return render(
        request,
        "checkins/history.html",
        {
            "patient": patient,
            "checkins": checkins,
            "trends": table,
            "chart_data": {
                "weeks": [f"Week of {week:%-d %b}" for week in table.weeks],
                "rows": [
                    {"label": row.label.capitalize(), "grades": row.grades} for row in table.rows
                ],
            },
            "is_self": patient.user_id == request.user.pk,
        },
    )


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
            "team_status": view_for_checkin(checkin, is_self=patient.user_id == request.user.pk),
        },
    )
