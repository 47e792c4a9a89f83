"""The weekly check-in page and the answer that follows it."""

from __future__ import annotations

import uuid
from typing import Any, cast

from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils import timezone

from oncopro.accounts.audit import Actor
from oncopro.accounts.models import User
from oncopro.alerts.queries import view_for_checkin
from oncopro.care.access import POST, READ, READ_AND_POST, Admission, Rule, access
from oncopro.care.models import Patient
from oncopro.checkins.actions import CheckInConflict, submit_checkin
from oncopro.checkins.forms import (
    WITH_TEMPERATURE,
    AnswerError,
    Audience,
    SymptomBlock,
    answers_from,
    blocks_for,
    blocks_for_names,
    carried,
    fill,
    follow_up_blocks,
    none_answer,
    other_blocks,
    question_names,
    shown_on_follow_up_screens,
    weekly_blocks,
)
from oncopro.checkins.history import recent_checkins, trends
from oncopro.checkins.models import CheckIn
from oncopro.checkins.triage import validate_answers
from oncopro.clinical import CaseError, Pack, load_pack
from oncopro.clinical.followups import due_follow_ups, follow_up_questions
from oncopro.clinical.search import find_symptoms


@access(Rule.REPORTER, methods=READ_AND_POST)
def weekly_checkin(request: HttpRequest, admission: Admission) -> HttpResponse:
    patient = admission.patient
    pack = load_pack()
    to = audience(request, patient)
    blocks = weekly_blocks(pack, to)
    others = other_blocks(pack, to)
    client_id = _client_id(request.POST.get("client_id"))
    problem = ""
    if request.method == "POST":
        # The core set and the temperature are always in front of her (or
        # answered "never" by the list), so a follow-up does not ask them again.
        report = ReportBeingSent(
            request, admission, blocks + others, client_id, CheckIn.Kind.WEEKLY, shown=blocks
        )
        fill(blocks + others, request.POST)
        if request.POST.get(NONE_OF_THESE) and any(
            block.answered for block in blocks if block.id in pack.weekly_core
        ):
            problem = (
                'You chose "None of these this week" and also answered some questions. '
                "Please untick one of them."
            )
        else:
            none_of = pack.weekly_core if request.POST.get(NONE_OF_THESE) else ()
            sent = report.send(none_of=none_of)
            if sent is not None:
                return sent
            problem = report.problem
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
            "none_of_these": bool(request.POST.get(NONE_OF_THESE)),
            "for_someone_else": patient.user_id != request.user.pk,
        },
    )


# The weekly list's explicit "None of these this week" (an empty form is not "none").
NONE_OF_THESE = "none_of_these"


@access(Rule.REPORTER, methods=POST)
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


@access(Rule.REPORTER, methods=READ_AND_POST)
def something_changed(request: HttpRequest, admission: Admission) -> HttpResponse:
    patient = admission.patient
    """An anytime report: she says what is wrong in her own words, picks one
    or more symptoms it means (and may add more), answers their questions
    and the follow-ups they need. Every step is a POST, so what she types
    never appears in a URL; each step carries what she answered so far."""
    pack = load_pack()
    step = request.POST.get("step", "find")
    typed = request.POST.get("words", "").strip()[:200]
    picked = _picked(pack, request)
    client_id = _client_id(request.POST.get("client_id"))
    context: dict[str, Any] = {
        "patient": patient,
        "words": typed,
        "own_words": _own_words(request.POST.get("note.own_words", ""), typed),
        "picked": picked,
        "picked_labels": [(s, pack.symptoms[s].label) for s in picked],
        "carried": carried(request.POST, leave_out={"step", "words", "symptom", OWN_WORDS}),
        "for_someone_else": patient.user_id != request.user.pk,
        "everything": sorted(pack.symptoms.values(), key=lambda spec: spec.label.lower()),
    }
    if request.method == "POST" and step in ("answer", "send") and picked:
        to = audience(request, patient)
        blocks = _anytime_blocks(pack, patient, picked, to)
        problem = ""
        if step == "send":
            # With the questions of any follow-up screen she has been through.
            asked = question_names(blocks)
            blocks += blocks_for_names(
                pack,
                [n for n in shown_on_follow_up_screens(request.POST) if n not in asked],
                to,
            )
            report = ReportBeingSent(
                request, admission, blocks, client_id, CheckIn.Kind.ANYTIME, blocks, picked
            )
            sent = report.send()
            if sent is not None:
                return sent
            problem = report.problem
        else:
            fill(blocks, request.POST)
        context |= {
            "blocks": blocks,
            "labels": [pack.symptoms[s].label_for(to.name) for s in picked],
            "client_id": client_id or uuid.uuid4(),
            "problem": problem,
            "notes": _notes(request),
        }
        return render(request, "checkins/anytime_answer.html", context)
    if request.method == "POST" and step in ("answer", "send"):
        context["problem"] = "Please pick at least one, or type what has changed."
    if request.method == "POST" and step == "find" and typed:
        context["matches"] = [m for m in find_symptoms(pack, typed) if m.id not in picked]
        context["searched"] = True
    return render(request, "checkins/anytime_find.html", context)


OWN_WORDS = "note.own_words"


def _own_words(before: str, typed: str) -> str:
    """Everything she typed to find her symptoms, kept with the report."""
    before = before.strip()
    if typed and typed not in before:
        before = f"{before}; {typed}" if before else typed
    return before[:500]


def _picked(pack: Pack, request: HttpRequest) -> list[str]:
    """The symptoms she picked, each once, in the order she picked them."""
    return list(dict.fromkeys(s for s in request.POST.getlist("symptom") if s in pack.symptoms))


def audience(request: HttpRequest, patient: Patient) -> Audience:
    """Who is answering: she, or someone reporting for her (the questions
    then name her: "What is Alice's temperature?"), and the unit that person
    reads temperatures in (her own choice, else her clinic's)."""
    user = cast(User, request.user)
    name = None if patient.user_id == user.pk else patient.first_name
    return Audience(name, user.temperature_unit or patient.clinic.temperature_unit)


def _anytime_blocks(
    pack: Pack, patient: Patient, picked: list[str], to: Audience
) -> list[SymptomBlock]:
    """Her symptoms, the follow-ups they need at once (back pain: leg
    weakness first), then a temperature when she has one."""
    blocks = blocks_for(pack, picked, to=to)
    due = due_follow_ups(
        pack, {}, picked=picked, therapies=patient.therapies, care_phase=patient.care_phase
    )
    for item in follow_up_questions(pack, due):
        if item.symptom not in picked:
            block = blocks_for(pack, [item.symptom], {item.symptom: item.fields}, to)[0]
            block.red_flag = item.red_flag
            blocks.append(block)
    if not any(block.id == pack.temperature_id for block in blocks):
        blocks += blocks_for(pack, [pack.temperature_id], to=to)  # when she has one
    return blocks


class ReportBeingSent:
    """One report being sent: its answers checked, its follow-up questions
    asked (on a screen of their own when the answers make more due), then
    submitted. What she typed stays in the blocks whatever happens."""

    def __init__(
        self,
        request: HttpRequest,
        admission: Admission,
        blocks: list[SymptomBlock],
        client_id: uuid.UUID | None,
        kind: str,
        shown: list[SymptomBlock],
        picked: list[str] | None = None,
    ) -> None:
        """`blocks`: every question whose answer is read; `shown`: those the
        page put in front of her (besides any follow-up screen's)."""
        self.request, self.admission, self.blocks = request, admission, blocks
        self.patient = patient = admission.patient
        self.client_id, self.kind, self.picked = client_id, kind, picked or []
        self.shown = question_names(shown) | set(shown_on_follow_up_screens(request.POST))
        self.to = audience(request, patient)
        self.problem = ""

    def send(self, none_of: tuple[str, ...] = ()) -> HttpResponse | None:
        """The answer page, the follow-up screen, or None with `problem` set."""
        pack = load_pack()
        data = self.request.POST
        fill(self.blocks, data)
        try:
            answers = answers_from(pack, self.blocks, data, self.to.unit)
            for symptom_id in none_of:
                answers[symptom_id] = none_answer(pack, symptom_id)
            if not answers:
                self.problem = "Please answer at least one question, then send it."
                return None
            validate_answers(answers, timezone.now())  # a wrong answer is fixed first
            more = follow_up_blocks(
                pack,
                answers,
                data,
                self.shown,
                picked=self.picked,
                therapies=self.patient.therapies,
                care_phase=self.patient.care_phase,
                to=self.to,
            )
            if more and not none_of:
                return self._follow_up_screen(more)
            done = submit_checkin(
                self.patient,
                author=self.admission.user,
                admitted=self.admission,
                client_id=self.client_id or uuid.uuid4(),
                answers=answers,
                kind=self.kind,
                notes=_notes(self.request),
                by=Actor.from_request(self.request),
            )
        except AnswerError as error:
            self.problem = _mark(self.blocks, error.name, error.message)
            return None
        except CaseError as error:
            name = error.where.removeprefix("checkin.answers.")
            self.problem = _mark(
                self.blocks, name, f"Please check this answer: it {error.problem}."
            )
            return None
        except CheckInConflict as error:
            self.problem = error.message
            return None
        return redirect(
            "checkins:result",
            patient_id=self.patient.public_id,
            checkin_id=done.checkin.client_id,
        )

    def _follow_up_screen(self, more: list[SymptomBlock]) -> HttpResponse:
        asking = {question.name for block in more for question in block.questions}
        return render(
            self.request,
            "checkins/follow_up.html",
            {
                "patient": self.patient,
                "blocks": more,
                "carried": carried(self.request.POST, leave_out=asking),
                "red_flags": any(block.red_flag for block in more),
                "for_someone_else": self.patient.user_id != self.request.user.pk,
            },
        )


NOTE_FIELDS = ("pain_feels_like", "pain_what_helps", "own_words")


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


@access(Rule.PATIENT, methods=READ)
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
                "weeks": [f"{week:%-d %b}" for week in table.weeks],
                "rows": [
                    {"label": row.label.capitalize(), "grades": row.grades} for row in table.rows
                ],
            },
            "is_self": patient.user_id == request.user.pk,
        },
    )


@access(Rule.PATIENT, methods=READ)
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
            "temperature": checkin.answers.get(pack.temperature_id),
            "unit": audience(request, patient).unit,
        },
    )
