"""Submitting check-ins: stored once, triaged with history, never half-saved."""

from __future__ import annotations

import datetime as dt
import json
import subprocess
import sys
import uuid

import pytest
from django.utils import timezone

from oncopro.accounts.audit import Actor
from oncopro.accounts.models import AuditEvent
from oncopro.checkins.actions import CheckInConflict, submit_checkin
from oncopro.checkins.models import CheckIn
from oncopro.clinical import CaseError
from tests.personas import World

FEVER = {"temperature_c": 38.2, "fatigue": {"severity": 2}}


def submit(world: World, answers: dict, *, author=None, client_id=None, at=None):
    author = author or world.alice.user
    return submit_checkin(
        world.alice,
        author=author,
        client_id=client_id or uuid.uuid4(),
        answers=answers,
        at=at,
        by=Actor(user=author, ip="127.0.0.1"),
    )


def test_a_fever_on_chemotherapy_is_stored_urgent_with_its_reasons(world: World) -> None:
    done = submit(world, FEVER)
    checkin = done.checkin
    assert done.created
    assert checkin.urgency == "urgent"
    assert checkin.contact == "care_team_now"
    assert checkin.pack == "mbc@1.0.0"
    assert checkin.result["findings"][0]["id"] == "U1"
    assert checkin.result["checkin_id"] == str(checkin.client_id)
    assert checkin.reporter == "patient"
    event = AuditEvent.objects.filter(action="checkin.submit").latest("id")
    assert event.patient_ref == world.alice.public_id
    assert event.actor == world.alice.user


def test_the_same_id_and_answers_is_one_check_in(world: World) -> None:
    client_id = uuid.uuid4()
    first = submit(world, FEVER, client_id=client_id)
    again = submit(world, dict(FEVER), client_id=client_id)
    assert not again.created
    assert again.checkin.pk == first.checkin.pk
    assert again.checkin.result == first.checkin.result
    assert CheckIn.objects.filter(client_id=client_id).count() == 1


def test_the_same_id_with_other_answers_is_refused(world: World) -> None:
    client_id = uuid.uuid4()
    submit(world, FEVER, client_id=client_id)
    with pytest.raises(CheckInConflict):
        submit(world, {"fatigue": {"severity": 1}}, client_id=client_id)
    assert CheckIn.objects.get(client_id=client_id).answers == FEVER


def test_a_caregiver_reports_for_her(world: World) -> None:
    checkin = submit(world, FEVER, author=world.carol).checkin
    assert checkin.author == world.carol
    assert checkin.reporter == "caregiver"
    assert checkin.patient == world.alice


@pytest.mark.parametrize("who", ["eve", "nadia", "oscar", "bob"])
def test_nobody_else_reports_for_her(world: World, who: str) -> None:
    author = {"eve": world.eve, "nadia": world.nadia, "oscar": world.oscar, "bob": world.bob.user}
    with pytest.raises(PermissionError):
        submit(world, FEVER, author=author[who])
    assert not CheckIn.objects.exists()


def test_bad_answers_are_refused_whole(world: World) -> None:
    with pytest.raises(CaseError, match="temperature_c: must be from 30 to 45"):
        submit(world, {"temperature_c": 3, "fatigue": {"severity": 1}})
    assert not CheckIn.objects.exists()
    assert not AuditEvent.objects.filter(action="checkin.submit").exists()


def test_earlier_check_ins_are_the_history(world: World) -> None:
    now = timezone.now()
    breath = {"shortness_of_breath": {"severity": 2}}
    first = submit(world, breath, at=now - dt.timedelta(days=7)).checkin
    assert first.urgency == "soon"
    second = submit(world, breath, at=now).checkin
    assert second.urgency == "routine"  # unchanged: ongoing, not a new alert
    assert [f["id"] for f in second.result["ongoing"]] == ["S2"]


def test_the_history_is_her_window_newest_first_as_stored(world: World) -> None:
    """The handwritten history query: her check-ins from `before` back to
    the window's edge, both ends included, newest first, nobody else's, with
    aware times and the answers as stored (on both databases)."""
    from oncopro.checkins.triage import HISTORY_WINDOW, earlier_reports

    before = timezone.now().replace(microsecond=0)
    moments = {
        "at the edge": before - HISTORY_WINDOW,
        "a second too old": before - HISTORY_WINDOW - dt.timedelta(seconds=1),
        "last week": before - dt.timedelta(days=7, microseconds=250),
        "at the moment": before,
        "after": before + dt.timedelta(seconds=1),
    }
    for label, at in moments.items():
        submit(world, {"pain": {"severity": 1, "location": label}}, at=at)
    submit_checkin(
        world.bob, author=world.bob.user, client_id=uuid.uuid4(), answers=FEVER, at=before,
        by=Actor(user=world.bob.user, ip="127.0.0.1"),
    )  # fmt: skip
    history = earlier_reports(world.alice, before)
    assert [(r.at, r.answers["pain"]["location"]) for r in history] == [
        (moments[label], label) for label in ("at the moment", "last week", "at the edge")
    ]
    assert all(r.at.tzinfo is not None for r in history)


def test_stored_triage_equals_the_command_line(world: World) -> None:
    checkin = submit(world, FEVER).checkin
    case = {
        "patient": {
            "care_phase": world.alice.care_phase,
            "therapies": world.alice.therapies,
            "known_metastatic_sites": world.alice.known_metastatic_sites,
        },
        "history": [],
        "checkin": {
            "id": str(checkin.client_id),
            "at": checkin.at.isoformat(),
            "answers": checkin.answers,
        },
    }
    done = subprocess.run(
        [sys.executable, "-m", "oncopro", "triage", "-"],
        input=json.dumps(case), capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout) == checkin.result
