"""Reading alerts: the team's queue, and what the patient is told about hers."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Case, IntegerField, QuerySet, Value, When
from django.utils import timezone

from oncopro.accounts.models import User
from oncopro.alerts.models import LEVEL_RANK, Alert, AlertOutbox, Notification, Outcome
from oncopro.care.access import on_her_team
from oncopro.checkins.models import CheckIn

# Emergency first, then urgent, then soon; within a level, the nearest deadline.
_RANK = Case(
    *(When(level=level, then=Value(rank)) for level, rank in LEVEL_RANK.items()),
    output_field=IntegerField(),
)


def open_queue(user: User) -> QuerySet[Alert]:
    """Open alerts of the patients on this person's care teams, worst first."""
    return (
        Alert.objects.filter(on_her_team(user, via="patient"), resolved_at=None)
        .select_related("patient__user", "acknowledged_by")
        .annotate(rank_order=_RANK)
        .order_by("-rank_order", "deadline", "pk")
    )


def recently_resolved(user: User, since: dt.timedelta = dt.timedelta(hours=24)) -> QuerySet[Alert]:
    return (
        Alert.objects.filter(
            on_her_team(user, via="patient"), resolved_at__gte=timezone.now() - since
        )
        .select_related("patient__user", "resolved_by")
        .order_by("-resolved_at")
    )


REASONS_ON_A_CARD = 2


def top_reasons(alerts: list[Alert]) -> dict[int, list[str]]:
    """Each alert's reasons in plain words, the worst findings of its
    check-ins first (at most two, each once), in one query for the page."""
    rows = (
        CheckIn.objects.filter(alert_outbox__alert__in=[a.pk for a in alerts])
        .order_by("-at")
        .values_list("alert_outbox__alert_id", "result")
    )
    found: dict[int, list[tuple[int, str]]] = {a.pk: [] for a in alerts}
    for alert_id, result in rows:
        for finding in result["findings"]:
            rank = LEVEL_RANK.get(finding["urgency"])  # None: no alert level
            if rank is not None:
                found[alert_id].append((rank, finding["because"]))
    reasons = {}
    for alert_id, ranked in found.items():
        texts = dict.fromkeys(text for _, text in sorted(ranked, key=lambda r: -r[0]))
        reasons[alert_id] = list(texts)[:REASONS_ON_A_CARD]
    return reasons


def checkins_of(alert: Alert) -> QuerySet[CheckIn]:
    return CheckIn.objects.filter(alert_outbox__alert=alert).select_related("author")


def display_name(user: User | None) -> str:
    """'Nurse Nadia Smith': how a patient sees who on her team has it."""
    if user is None:
        return "your care team"
    return f"{user.role_label} {user.full_name}"


@dataclass(frozen=True)
class PatientView:
    """What the patient and her caregivers see about an alert: who has it,
    whether they have seen it, and the outcome if the team shares it."""

    state: str  # "waiting", "with_team", "seen", "resolved"
    holder: str = ""  # who has it or saw it
    at: dt.datetime | None = None  # when they saw it, or resolved it
    outcome: str = ""
    message: str = ""


# The outcome in words for her ("you") or her caregiver (her name).
OUTCOME_FOR_HER = {
    Outcome.CALLED_PATIENT: "called {who}",
    Outcome.ADVISED_EMERGENCY: "advised {who} to go to the emergency department",
    Outcome.CHANGED_MEDICATION: "changed {whose} medicine",
    Outcome.BOOKED_VISIT: "booked a visit for {who}",
    Outcome.ADVICE_GIVEN: "gave {who} advice",
    Outcome.NO_ACTION: "looked at it, and nothing more is needed now",
}


def outcome_for_her(alert: Alert, *, is_self: bool) -> str:
    who = "you" if is_self else alert.patient.full_name
    whose = "your" if is_self else f"{alert.patient.full_name}'s"
    return OUTCOME_FOR_HER[Outcome(alert.outcome)].format(who=who, whose=whose)


def patient_view(alert: Alert | None, *, is_self: bool = True) -> PatientView | None:
    if alert is None:
        return None
    if alert.resolved_at is not None:
        return PatientView(
            state="resolved",
            holder=display_name(alert.acknowledged_by or alert.resolved_by),
            at=alert.acknowledged_at or alert.resolved_at,
            outcome=outcome_for_her(alert, is_self=is_self) if alert.share_outcome else "",
            message=alert.message_to_patient if alert.share_outcome else "",
        )
    if alert.acknowledged_at is not None:
        return PatientView(
            state="seen", holder=display_name(alert.acknowledged_by), at=alert.acknowledged_at
        )
    told = (
        alert.notifications.filter(channel=Notification.Channel.EMAIL, recipient__isnull=False)
        .select_related("recipient")
        .order_by("-sequence")
        .first()
    )
    return PatientView(state="with_team", holder=display_name(told.recipient if told else None))


def view_for_checkin(checkin: CheckIn, *, is_self: bool = True) -> PatientView | None:
    """For the answer page of one check-in; None if it raised no alert."""
    row = AlertOutbox.objects.filter(checkin=checkin).select_related("alert").first()
    if row is None:
        return None
    if row.alert is None:
        return PatientView(state="waiting")
    return patient_view(row.alert, is_self=is_self)


def latest_for_patient(
    patient_id: int, within: dt.timedelta = dt.timedelta(days=14)
) -> Alert | None:
    """Her open alert, or the last one resolved lately."""
    alerts = Alert.objects.filter(patient_id=patient_id).select_related(
        "patient__user", "acknowledged_by", "resolved_by"
    )
    open_alert = alerts.filter(resolved_at=None).first()
    if open_alert is not None:
        return open_alert
    return alerts.filter(resolved_at__gte=timezone.now() - within).order_by("-resolved_at").first()
