"""The visit summary page, its PDF, and her questions for the visit."""

from __future__ import annotations

from pathlib import Path
from typing import cast

from django.conf import settings
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse

from oncopro.accounts.audit import Actor
from oncopro.accounts.models import User
from oncopro.care.access import POST, READ, Relation, Rule, access, relation_to
from oncopro.care.models import Patient
from oncopro.reports import actions
from oncopro.reports.models import VisitQuestion
from oncopro.reports.summary import WEEK_CHOICES, build, clean_weeks

PRINT_CSS = Path(settings.BASE_DIR) / "static" / "oncopro" / "print.css"


def _context(request: HttpRequest, patient: Patient) -> dict[str, object]:
    relation = relation_to(cast(User, request.user), patient)
    return {
        "patient": patient,
        "summary": build(patient, clean_weeks(request.GET.get("weeks"))),
        "week_choices": WEEK_CHOICES,
        "is_self": relation is Relation.SELF,
        "can_edit": relation in (Relation.SELF, Relation.CAREGIVER),
    }


@access(Rule.PATIENT, methods=READ)
def summary(request: HttpRequest, patient: Patient) -> HttpResponse:
    context = _context(request, patient)
    context["problem"] = request.session.pop("question_problem", "")
    context["typed"] = request.session.pop("question_typed", "")
    return render(request, "reports/summary.html", context)


@access(Rule.PATIENT, methods=READ)
def summary_pdf(request: HttpRequest, patient: Patient) -> HttpResponse:
    from weasyprint import CSS, HTML  # imported here: only this view needs it

    html = render_to_string("reports/summary_pdf.html", _context(request, patient), request)
    pdf = HTML(string=html, base_url=settings.SITE_ROOT).write_pdf(
        stylesheets=[CSS(filename=str(PRINT_CSS))]
    )
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = 'inline; filename="visit-summary.pdf"'
    response["Cache-Control"] = "no-store"
    return response


def _back(patient: Patient, request: HttpRequest) -> HttpResponse:
    weeks = clean_weeks(request.POST.get("weeks"))
    url = reverse("reports:summary", kwargs={"patient_id": patient.public_id})
    return redirect(f"{url}?weeks={weeks}#questions")


def _question(patient: Patient, question_id: int) -> VisitQuestion:
    question = VisitQuestion.objects.filter(patient=patient, pk=question_id).first()
    if question is None:
        raise Http404
    return question


@access(Rule.REPORTER, methods=POST)
def add_question(request: HttpRequest, patient: Patient) -> HttpResponse:
    text = request.POST.get("text", "")
    try:
        actions.add_question(
            patient, text, author=cast(User, request.user), by=Actor.from_request(request)
        )
    except actions.QuestionError as error:
        # Shown once on the page, with what she typed put back in the box.
        request.session["question_problem"] = str(error)
        request.session["question_typed"] = text[:1000]
    else:
        messages.success(request, "Question added.")
    return _back(patient, request)


@access(Rule.REPORTER, methods=POST)
def edit_question(request: HttpRequest, patient: Patient, question_id: int) -> HttpResponse:
    question = _question(patient, question_id)
    try:
        actions.edit_question(
            question, request.POST.get("text", ""), by=Actor.from_request(request)
        )
    except actions.QuestionError as error:
        messages.error(request, f"{error} Your question was not changed.")
    else:
        messages.success(request, "Question saved.")
    return _back(patient, request)


@access(Rule.REPORTER, methods=POST)
def remove_question(request: HttpRequest, patient: Patient, question_id: int) -> HttpResponse:
    actions.remove_question(_question(patient, question_id), by=Actor.from_request(request))
    messages.success(request, "Question removed.")
    return _back(patient, request)
