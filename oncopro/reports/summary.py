"""The visit summary: what she brings to her appointment, on screen and on
paper (the same template; WeasyPrint makes the PDF)."""

from __future__ import annotations

import base64
import datetime as dt
from dataclasses import dataclass, field

import pygal
from django.db.models import Q
from django.utils import timezone
from pygal.style import Style

from oncopro.alerts.models import Alert
from oncopro.care.models import Patient
from oncopro.checkins.history import TrendRow, Trends, trends
from oncopro.checkins.models import CheckIn
from oncopro.clinical import load_pack
from oncopro.reports.models import VisitQuestion

WEEK_CHOICES = (4, 6, 8, 10, 12)
DEFAULT_WEEKS = 8
MAX_CHARTS = 6  # the symptoms that were worst: the summary must fit on two pages

# Our colours (site.css), high contrast, large text for tired eyes.
CHART_STYLE = Style(
    background="#ffffff",
    plot_background="#ffffff",
    foreground="#1b1b1b",
    foreground_strong="#1b1b1b",
    foreground_subtle="#767676",
    colors=("#0b4f8a",),
    font_family="DejaVu Sans, sans-serif",
    label_font_size=24,
    major_label_font_size=24,
    value_font_size=26,
    title_font_size=26,
)


@dataclass(frozen=True)
class Chart:
    label: str
    svg_data_uri: str
    worst: int


@dataclass(frozen=True)
class PainNote:
    at: dt.datetime
    where: str
    feels_like: str
    what_helps: str


@dataclass(frozen=True)
class Reason:
    level: str  # "Urgent", "Within 24 hours", ...
    because: str


@dataclass(frozen=True)
class Now:
    """How things were on the day of her last check-in (every report of
    that day, so a weekly check-in and a later 'something has changed' both
    count), by the triage definitions (REFERENCE section 2)."""

    day: dt.date
    severe: list[str]  # labels: composite grade 3, or a severity answer of 3-4
    temperatures: list[float]  # every reading that day, highest first
    raised: list[Reason]  # every finding that raised the level above routine
    noted: list[str]  # the other findings (advice, not alerts)


@dataclass(frozen=True)
class VisitSummary:
    patient: Patient
    weeks: int
    start: dt.date
    end: dt.date
    checkins: int
    trends: Trends
    charts: list[Chart]
    now: Now | None
    alerts: list[Alert]
    pain: list[PainNote]
    own_words: list[tuple[dt.datetime, str]]  # what she typed when something changed
    questions: list[VisitQuestion]
    therapies: list[str] = field(default_factory=list)


def clean_weeks(value: str | None) -> int:
    try:
        weeks = int(value or DEFAULT_WEEKS)
    except ValueError:
        return DEFAULT_WEEKS
    return weeks if weeks in WEEK_CHOICES else DEFAULT_WEEKS


def build(patient: Patient, weeks: int) -> VisitSummary:
    end = timezone.localdate()
    start = end - dt.timedelta(weeks=weeks)
    since = timezone.make_aware(dt.datetime.combine(start, dt.time.min))
    checkins = list(CheckIn.objects.filter(patient=patient, at__gte=since))
    table = trends(checkins, weeks=weeks + 1, calendar_weeks=True)
    return VisitSummary(
        patient=patient,
        weeks=weeks,
        start=start,
        end=end,
        checkins=len(checkins),
        trends=table,
        charts=_charts(table),
        now=_now(checkins),
        alerts=_alerts_of_the_period(patient, since),
        pain=_pain_notes(checkins),
        own_words=[(c.at, c.notes["own_words"]) for c in checkins if c.notes.get("own_words")][:6],
        questions=list(VisitQuestion.objects.filter(patient=patient)),
        therapies=list(patient.therapies),
    )


LEVEL_WORDS = {
    "emergency": "Emergency",
    "urgent": "Urgent: call now",
    "soon": "Within 24 hours",
}


def _now(checkins: list[CheckIn]) -> Now | None:
    """The last check-in's day, newest report first."""
    if not checkins:
        return None
    pack = load_pack()
    day = timezone.localdate(checkins[0].at)
    that_day = [c for c in checkins if timezone.localdate(c.at) == day]
    severe: dict[str, None] = {}
    temperatures: list[float] = []
    raised: dict[tuple[str, str], None] = {}
    noted: dict[str, None] = {}
    for checkin in that_day:
        for symptom_id, answer in checkin.answers.items():
            if symptom_id == pack.temperature_id:
                temperatures.append(float(answer))
            elif _is_severe(checkin.result["grades"].get(symptom_id), answer):
                severe[pack.symptoms[symptom_id].label] = None
        for finding in checkin.result["findings"]:
            if finding["urgency"] in LEVEL_WORDS:
                raised[(finding["urgency"], finding["because"])] = None
            else:
                noted[finding["because"]] = None
    order = list(LEVEL_WORDS)
    return Now(
        day=day,
        severe=list(severe),
        temperatures=sorted(temperatures, reverse=True),
        raised=[
            Reason(LEVEL_WORDS[level], because)
            for level, because in sorted(raised, key=lambda item: order.index(item[0]))
        ],
        noted=list(noted),
    )


def _is_severe(grade: int | None, answer: object) -> bool:
    """REFERENCE section 2: composite grade 3, or a severity answer of 3-4."""
    severity = answer.get("severity") if isinstance(answer, dict) else None
    return (grade is not None and grade >= 3) or (severity is not None and severity >= 3)


def _alerts_of_the_period(patient: Patient, since: dt.datetime) -> list[Alert]:
    """Every call to the team in the period: opened in it, or still open, or
    closed in it (an alert opened before the period can end inside it)."""
    in_period = Q(opened_at__gte=since) | Q(resolved_at__isnull=True) | Q(resolved_at__gte=since)
    return list(
        Alert.objects.filter(in_period, patient=patient)
        .select_related("acknowledged_by", "resolved_by")
        .order_by("-opened_at")
    )


def _charts(table: Trends) -> list[Chart]:
    def worst(row: TrendRow) -> int:
        return max((g for g in row.grades if g is not None), default=0)

    rows = sorted((row for row in table.rows if worst(row) > 0), key=worst, reverse=True)
    return [
        Chart(row.label, _line_chart(row, table.weeks), worst(row)) for row in rows[:MAX_CHARTS]
    ]


def _line_chart(row: TrendRow, weeks: list[dt.date]) -> str:
    """One symptom over the weeks, 0 to 3, as an SVG data URI (an <img>, so
    the page's strict CSP stays as it is)."""
    chart = pygal.Line(
        style=CHART_STYLE,
        width=640,
        height=260,
        range=(0, 3),
        show_legend=False,
        show_dots=True,
        dots_size=7,
        stroke_style={"width": 4},
        print_values=True,
        y_labels=[0, 1, 2, 3],
        x_label_rotation=0,
        truncate_label=-1,
        show_minor_x_labels=False,
        x_labels_major_every=max(len(weeks) // 4, 1),
        js=[],
        disable_xml_declaration=True,
    )
    chart.x_labels = [f"{week.day}/{week.month}" for week in weeks]
    chart.add(row.label, row.grades)
    svg = chart.render(is_unicode=True)
    return "data:image/svg+xml;base64," + base64.b64encode(svg.encode()).decode()


def _pain_notes(checkins: list[CheckIn]) -> list[PainNote]:
    notes = []
    seen: set[tuple[str, str, str]] = set()
    for checkin in checkins:
        where = " / ".join(
            answer["location"]
            for symptom in ("pain", "bone_pain")
            if isinstance(answer := checkin.answers.get(symptom), dict) and answer.get("location")
        )
        feels = checkin.notes.get("pain_feels_like", "")
        helps = checkin.notes.get("pain_what_helps", "")
        if (where or feels or helps) and (where, feels, helps) not in seen:
            seen.add((where, feels, helps))  # newest first: the same words once
            notes.append(PainNote(checkin.at, where, feels, helps))
    return notes[:6]
