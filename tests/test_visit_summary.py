"""The visit summary: on screen, as a PDF that really renders, with her questions."""

from __future__ import annotations

import datetime as dt
import re
import subprocess
import uuid
from pathlib import Path

from django.test import Client
from django.urls import reverse
from django.utils import timezone

from oncopro.accounts.audit import Actor
from oncopro.accounts.models import AuditEvent
from oncopro.alerts import actions as alert_actions
from oncopro.alerts.actions import process_outbox
from oncopro.alerts.models import Alert
from oncopro.checkins.actions import submit_checkin
from oncopro.reports.models import VisitQuestion
from tests.browser import ARTIFACTS
from tests.helpers import sign_in
from tests.personas import World


def fill_weeks(world: World) -> None:
    now = timezone.now()
    for weeks_ago, severity in ((6, 1), (4, 2), (2, 3), (0, 3)):
        submit_checkin(
            world.alice,
            author=world.alice.user,
            client_id=uuid.uuid4(),
            answers={
                "pain": {"severity": severity, "location": "lower back"},
                "fatigue": {"severity": min(severity, 2)},
                "nausea": {"severity": 1},
            },
            notes={
                "pain_feels_like": "a dull ache, worse at night",
                "pain_what_helps": "a hot bath",
            },
            at=now - dt.timedelta(weeks=weeks_ago, hours=1),
            by=Actor(world.alice.user),
        )
    process_outbox()
    alert = Alert.objects.first()
    assert alert is not None
    alert_actions.resolve(
        alert,
        outcome="booked_visit",
        share_outcome=True,
        message_to_patient="We will see you on Friday.",
        by=Actor(world.nadia),
    )


def url(world: World, name: str = "reports:summary") -> str:
    return reverse(name, kwargs={"patient_id": world.alice.public_id})


def test_the_summary_page_has_what_she_needs_for_the_visit(world: World) -> None:
    fill_weeks(world)
    VisitQuestion.objects.create(
        patient=world.alice, text="Can I change my pain medicine?", written_by=world.alice.user
    )
    for person in (world.alice.user, world.carol, world.nadia):
        response = sign_in(Client(), person).get(url(world), {"weeks": "8"})
        body = response.content.decode()
        assert response.status_code == 200
        assert "Severe: <strong>Pain</strong>" in body
        assert 'alt="Pain by week. The table has the same numbers."' in body
        assert "data:image/svg+xml;base64," in body
        assert "a dull ache, worse at night" in body
        assert "a hot bath" in body
        assert "lower back" in body
        assert "We will see you on Friday." in body
        assert "Can I change my pain medicine?" in body
        assert "capecitabine" in body


def test_weeks_outside_the_choices_fall_back_to_8(world: World) -> None:
    body = sign_in(Client(), world.alice.user).get(url(world), {"weeks": "999"}).content.decode()
    assert "(8 weeks" in body


def test_she_adds_edits_and_removes_questions(world: World) -> None:
    alice = sign_in(Client(), world.alice.user)
    add = url(world, "reports:add_question")
    assert alice.post(add, {"text": "  Can I   travel in May? ", "weeks": "6"}).status_code == 302
    question = VisitQuestion.objects.get()
    assert question.text == "Can I travel in May?"
    alice.post(
        reverse(
            "reports:edit_question",
            kwargs={"patient_id": world.alice.public_id, "question_id": question.pk},
        ),
        {"text": "Can I travel in June?"},
    )
    question.refresh_from_db()
    assert question.text == "Can I travel in June?"
    # An empty question is explained, on the page.
    response = alice.post(add, {"text": "   "}, follow=True)
    assert "Type your question first." in response.content.decode()
    # Too long: explained, and what she typed is kept.
    long = "Why " * 100
    response = alice.post(add, {"text": long}, follow=True)
    body = response.content.decode()
    assert "under 300 letters" in body
    assert long.strip() in body
    alice.post(
        reverse(
            "reports:remove_question",
            kwargs={"patient_id": world.alice.public_id, "question_id": question.pk},
        )
    )
    assert not VisitQuestion.objects.exists()
    actions = set(
        AuditEvent.objects.filter(action__startswith="visit_question").values_list(
            "action", flat=True
        )
    )
    assert actions == {"visit_question.add", "visit_question.edit", "visit_question.remove"}


def test_her_team_reads_but_does_not_write_her_questions(world: World) -> None:
    nadia = sign_in(Client(), world.nadia)
    assert nadia.post(url(world, "reports:add_question"), {"text": "x"}).status_code == 404
    assert not VisitQuestion.objects.exists()
    assert "Write the questions" not in nadia.get(url(world)).content.decode()


def test_the_pdf_renders_on_one_or_two_pages(world: World, tmp_path: Path) -> None:
    from weasyprint import HTML  # noqa: F401 - fails clearly if WeasyPrint cannot load

    fill_weeks(world)
    VisitQuestion.objects.create(
        patient=world.alice, text="Is the new pain from the bones?", written_by=world.alice.user
    )
    response = sign_in(Client(), world.alice.user).get(url(world, "reports:summary_pdf"))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    pdf = response.content
    assert pdf.startswith(b"%PDF-")
    pages = pdf.count(b"/Type /Page\n") or pdf.count(b"/Type /Page>>") or pdf.count(b"/Type /Page ")
    path = tmp_path / "summary.pdf"
    path.write_bytes(pdf)
    # pdftoppm (poppler) draws every page: the PDF is real, not just bytes.
    done = subprocess.run(
        ["pdftoppm", "-png", "-r", "60", str(path), str(tmp_path / "page")],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    pngs = sorted(tmp_path.glob("page-*.png"))
    assert 1 <= len(pngs) <= 2, (len(pngs), pages)
    ARTIFACTS.mkdir(exist_ok=True)
    subprocess.run(
        ["pdftoppm", "-png", "-r", "80", "-f", "1", "-l", "1", "-singlefile", str(path),
         str(ARTIFACTS / "visit-summary-page1")],
        check=True,
    )  # fmt: skip
    text = subprocess.run(
        ["pdftotext", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout
    assert "Visit summary: Alice Example" in text
    assert "Is the new pain from the bones?" in text
    assert "a hot bath" in text


def known_history(world: World) -> tuple[Alert, Alert]:
    """Ten days ago yellow skin (urgent), seen and closed by Nadia with a
    shared outcome; today a 38.4 C fever on capecitabine with pain she
    calls severe, though it comes rarely (composite grade 2), still open."""
    now = timezone.now()
    ten_days_ago = now - dt.timedelta(days=10)
    submit_checkin(
        world.alice, author=world.alice.user, client_id=uuid.uuid4(),
        answers={"jaundice": {"present": True}}, at=ten_days_ago, by=Actor(world.alice.user),
    )  # fmt: skip
    process_outbox(now=ten_days_ago)
    first = Alert.objects.get()
    alert_actions.acknowledge(
        first, by=Actor(world.nadia), now=ten_days_ago + dt.timedelta(minutes=5)
    )
    alert_actions.resolve(
        first, outcome="booked_visit", share_outcome=True,
        message_to_patient="Blood tests on Monday.", by=Actor(world.nadia),
        now=ten_days_ago + dt.timedelta(hours=1),
    )  # fmt: skip
    submit_checkin(
        world.alice, author=world.alice.user, client_id=uuid.uuid4(),
        answers={"pain": {"frequency": 1, "severity": 3}, "fatigue": {"severity": 1},
                 "temperature_c": 38.4},
        at=now - dt.timedelta(minutes=30), by=Actor(world.alice.user),
    )  # fmt: skip
    process_outbox()
    first.refresh_from_db()
    second = Alert.objects.get(resolved_at__isnull=True)
    return first, second


def summary_lines(text: str) -> list[str]:
    return [" ".join(line.split()) for line in text.splitlines() if line.strip()]


def expected_truth(first: Alert, second: Alert) -> list[str]:
    local = timezone.localtime
    return [
        f"At the last check-in, on {local(second.opened_at):%-d %B}:",
        "Severe: Pain.",
        "Temperature: 38.4 °C.",
        "Urgent: call now: Temperature 38.4 C while on capecitabine, which can lower white cells.",
        "Within 24 hours: Severe pain.",
        "Within 24 hours: Pain is severe and worse than in the last 14 days.",
        "Also noted: Morphine is taken without a laxative: ask the team for one.",
        f"{local(second.opened_at):%-d %b, %H:%M}: urgent. Not seen yet.",
        f"{local(first.opened_at):%-d %b, %H:%M}: urgent. Seen by Nadia Nurse on "
        f"{local(first.acknowledged_at):%-d %b} at {local(first.acknowledged_at):%H:%M}. "
        f"Closed by Nadia Nurse on {local(first.resolved_at):%-d %b}: booked a visit. "
        "“Blood tests on Monday.”",
    ]


def test_the_summary_tells_the_truth_about_now_and_every_call(world: World, tmp_path: Path) -> None:
    first, second = known_history(world)
    client = sign_in(Client(), world.alice.user)
    body = client.get(url(world), {"weeks": "4"}).content.decode()
    now_part = body.split('id="now-heading"', 1)[1].split("</section>", 1)[0]
    calls_part = body.split('id="alerts-heading"', 1)[1].split("</section>", 1)[0]

    def lines_after_heading(part: str) -> list[str]:
        text = re.sub(r"<[^>]+>", "", re.sub(r"</(li|p|h2)>", "|", " ".join(part.split())))
        return [line.strip() for line in text.split("|") if line.strip()][1:]

    page_lines = lines_after_heading(now_part) + lines_after_heading(calls_part)
    assert page_lines == expected_truth(first, second)  # every line, and nothing else

    pdf = client.get(url(world, "reports:summary_pdf"), {"weeks": "4"}).content
    path = tmp_path / "summary.pdf"
    path.write_bytes(pdf)
    text = subprocess.run(
        ["pdftotext", "-raw", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout
    flat = " ".join(text.split())
    for line in expected_truth(first, second):
        assert " ".join(line.split()) in flat, (line, flat)
