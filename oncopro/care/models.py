"""Clinics, care teams, patients and the caregivers they let in."""

from __future__ import annotations

import uuid

from django.db import models
from django.utils import timezone

from oncopro.accounts.models import TemperatureUnit, User


class CarePhase(models.TextChoices):
    ACTIVE_TREATMENT = "active_treatment", "Active treatment"
    PALLIATIVE = "palliative", "Palliative care"
    HOSPICE = "hospice", "Hospice"


class MetastaticSite(models.TextChoices):
    BONE = "bone", "Bone"
    LUNG = "lung", "Lung"
    LIVER = "liver", "Liver"
    BRAIN = "brain", "Brain"
    LOCAL = "local", "Breast or chest wall"


class Language(models.TextChoices):
    ENGLISH = "en", "English"
    SPANISH = "es", "Spanish"
    MANDARIN = "zh-hans", "Mandarin"


class Clinic(models.Model):
    name = models.CharField(max_length=200)
    # The local number for emergency services: 911, 999, 112...
    emergency_number = models.CharField(max_length=10)
    admins = models.ManyToManyField(User, blank=True, related_name="administered_clinics")
    # How long the team has to acknowledge an alert before the next person on
    # the on-call list is told: emergency and urgent alerts, then soon ones.
    ack_minutes_urgent = models.PositiveIntegerField(default=15)
    ack_minutes_soon = models.PositiveIntegerField(default=24 * 60)
    # The unit its patients read temperatures in (a US clinic: Fahrenheit);
    # each person may choose her own. Stored readings are always Celsius.
    temperature_unit = models.CharField(
        max_length=1, choices=TemperatureUnit.choices, default=TemperatureUnit.CELSIUS
    )
    # Who is told at once when someone opens a record by break-glass, and
    # whom patients may ask about their privacy.
    privacy_contact_name = models.CharField(max_length=200, blank=True)
    privacy_contact_email = models.EmailField(blank=True)

    def __str__(self) -> str:
        return self.name


class CareTeam(models.Model):
    class Kind(models.TextChoices):
        ONCOLOGY = "oncology", "Oncology team"
        HOSPICE = "hospice", "Hospice team"

    clinic = models.ForeignKey(Clinic, on_delete=models.PROTECT, related_name="teams")
    name = models.CharField(max_length=200)
    kind = models.CharField(max_length=20, choices=Kind.choices)
    phone_24h = models.CharField("24-hour phone line", max_length=30)

    def __str__(self) -> str:
        return self.name


class TeamMembership(models.Model):
    team = models.ForeignKey(CareTeam, on_delete=models.CASCADE, related_name="memberships")
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="memberships")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["team", "user"], name="one_membership_per_team"),
        ]

    def __str__(self) -> str:
        return f"membership {self.pk}"


class OnCallSlot(models.Model):
    """Who is told first, second, third... when an alert opens or escalates."""

    team = models.ForeignKey(CareTeam, on_delete=models.CASCADE, related_name="on_call")
    position = models.PositiveSmallIntegerField()
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="+")

    class Meta:
        ordering = ("team", "position")
        constraints = [
            models.UniqueConstraint(fields=["team", "position"], name="one_person_per_position"),
        ]

    def __str__(self) -> str:
        return f"on-call {self.team_id}#{self.position}"


class Patient(models.Model):
    # The only identifier that ever appears in a URL or a log line.
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    user = models.OneToOneField(User, on_delete=models.PROTECT, related_name="patient")
    care_team = models.ForeignKey(CareTeam, on_delete=models.PROTECT, related_name="patients")
    date_of_birth = models.DateField()
    language = models.CharField(max_length=10, choices=Language.choices, default=Language.ENGLISH)
    care_phase = models.CharField(
        max_length=20, choices=CarePhase.choices, default=CarePhase.ACTIVE_TREATMENT
    )
    # Lists of MetastaticSite values and of lower-case generic drug names
    # (taken now or in the last 6 weeks), as the triage contract takes them.
    known_metastatic_sites = models.JSONField(default=list)
    therapies = models.JSONField(default=list)
    # The day her weekly check-in is due (0 Monday ... 6 Sunday).
    checkin_weekday = models.PositiveSmallIntegerField(default=0)
    created_at = models.DateTimeField(default=timezone.now)
    # When she joined the program: her weekly check-ins are due from then
    # (seeding and imports may set it in the past).
    enrolled_on = models.DateField(default=timezone.localdate)
    # For her team to call her back (a tap-to-call link on the alert page).
    phone = models.CharField(max_length=30, blank=True)
    # Enrolled by the clinic's admin, who sees no clinical data: her team has
    # still to enter her care phase, known sites and medicines.
    clinical_details_pending = models.BooleanField(default=False)
    # The day she left the program: she and her caregivers can no longer
    # sign in to it, and her data is kept. None while she takes part.
    left_on = models.DateField(null=True, blank=True)

    def __str__(self) -> str:
        return f"patient {self.public_id}"

    @property
    def full_name(self) -> str:
        return self.user.full_name

    @property
    def first_name(self) -> str:
        """How a caregiver's questions name her ("What is Alice's temperature?")."""
        return self.user.full_name.split(" ", 1)[0] or self.user.full_name

    @property
    def clinic(self) -> Clinic:
        return self.care_team.clinic


class CaregiverLink(models.Model):
    """A caregiver the patient lets see and report on her behalf. Revoking
    sets `revoked_at`; the access gate reads it on every request."""

    patient = models.ForeignKey(Patient, on_delete=models.CASCADE, related_name="caregiver_links")
    caregiver = models.ForeignKey(User, on_delete=models.PROTECT, related_name="caregiver_links")
    relationship = models.CharField(max_length=60, blank=True)
    # The caregiver's number, for the team to call (shown while the link lasts).
    phone = models.CharField(max_length=30, blank=True)
    granted_at = models.DateTimeField(default=timezone.now)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["patient", "caregiver"],
                condition=models.Q(revoked_at__isnull=True),
                name="one_active_link_per_caregiver",
            ),
        ]

    def __str__(self) -> str:
        return f"caregiver link {self.pk}"

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None


class CaregiverInvitation(models.Model):
    """A patient's invitation to someone to become her caregiver: a link by
    email, good once, for INVITATION_LIFETIME. Access starts only when they
    accept (a CaregiverLink is made then); she may cancel it before. Only a
    hash of the link's secret is kept, set when the email is sent."""

    patient = models.ForeignKey(
        Patient, on_delete=models.CASCADE, related_name="caregiver_invitations"
    )
    email = models.EmailField()
    relationship = models.CharField(max_length=60, blank=True)
    phone = models.CharField(max_length=30, blank=True)
    token_hash = models.CharField(max_length=64, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    accepted_at = models.DateTimeField(null=True, blank=True)
    cancelled_at = models.DateTimeField(null=True, blank=True)
    link = models.OneToOneField(
        CaregiverLink, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["token_hash"], condition=~models.Q(token_hash=""), name="one_secret_each"
            ),
        ]

    def __str__(self) -> str:
        return f"caregiver invitation {self.pk}"

    @property
    def state(self) -> str:
        """ "waiting", "accepted", "cancelled" or "expired"."""
        if self.accepted_at is not None:
            return "accepted"
        if self.cancelled_at is not None:
            return "cancelled"
        if self.expires_at <= timezone.now():
            return "expired"
        return "waiting"
