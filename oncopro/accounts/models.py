"""People who sign in, and the append-only record of what they did."""

from __future__ import annotations

from typing import Any, ClassVar

from django.contrib.auth.base_user import AbstractBaseUser, BaseUserManager
from django.db import models
from django.utils import timezone


class Role(models.TextChoices):
    PATIENT = "patient", "Patient"
    CAREGIVER = "caregiver", "Caregiver"
    NURSE = "nurse", "Nurse"
    DOCTOR = "doctor", "Doctor"
    SOCIAL_WORKER = "social_worker", "Social worker"
    CHAPLAIN = "chaplain", "Chaplain or spiritual care"
    AIDE = "aide", "Aide"
    VOLUNTEER = "volunteer", "Volunteer"
    CLINIC_ADMIN = "clinic_admin", "Clinic admin"


# Care-team roles: the people a care team (oncology or hospice) is made of.
# Each sees the data of her team's patients, as her circle of care.
CARE_TEAM_ROLES = frozenset(
    {Role.NURSE, Role.DOCTOR, Role.SOCIAL_WORKER, Role.CHAPLAIN, Role.AIDE, Role.VOLUNTEER}
)
# Staff must use two-factor sign-in.
STAFF_ROLES = CARE_TEAM_ROLES | {Role.CLINIC_ADMIN}


class UserManager(BaseUserManager["User"]):
    def create_user(
        self, email: str | None, password: str | None, *, full_name: str, role: str, **extra: Any
    ) -> User:
        if not email and not extra.get("sign_in_phone"):
            raise ValueError("An email address or a phone number to sign in with is needed.")
        user = self.model(
            email=self.normalize_email(email).lower() if email else None,
            full_name=full_name,
            role=role,
        )
        for field, value in extra.items():
            setattr(user, field, value)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def get_by_natural_key(self, username: str | None) -> User:
        # Email addresses are stored in lower case; people type them any way.
        # Someone enrolled without email signs in with her phone number.
        username = (username or "").strip()
        if "@" in username:
            return self.get(email__iexact=username)
        phone = sign_in_phone(username)
        if not phone:
            raise self.model.DoesNotExist
        return self.get(sign_in_phone=phone)


def sign_in_phone(typed: str) -> str:
    """A phone number as it is kept for signing in: its digits, and a leading
    + if it has one ("+44 20 7946 0123" -> "+442079460123")."""
    digits = "".join(ch for ch in typed if ch.isdigit())
    if not digits:
        return ""
    return ("+" if typed.strip().startswith("+") else "") + digits[:19]


class TemperatureUnit(models.TextChoices):
    CELSIUS = "C", "Celsius (°C)"
    FAHRENHEIT = "F", "Fahrenheit (°F)"


class User(AbstractBaseUser):
    # None for a patient enrolled with her phone alone (she signs in with it).
    email = models.EmailField(unique=True, null=True, blank=True)
    sign_in_phone = models.CharField(max_length=20, blank=True, default="")
    full_name = models.CharField(max_length=200)
    role = models.CharField(max_length=20, choices=Role.choices)
    is_active = models.BooleanField(default=True)
    # Her own choice for temperatures; blank: her clinic's.
    temperature_unit = models.CharField(
        max_length=1, choices=TemperatureUnit.choices, blank=True, default=""
    )
    date_joined = models.DateTimeField(default=timezone.now)

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS: ClassVar[list[str]] = ["full_name", "role"]

    objects = UserManager()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["sign_in_phone"],
                condition=~models.Q(sign_in_phone=""),
                name="one_account_per_sign_in_phone",
            ),
        ]

    def __str__(self) -> str:
        # Never a name: this string can end up in logs.
        return f"user {self.pk}"

    @property
    def is_staff_member(self) -> bool:
        return self.role in STAFF_ROLES

    @property
    def is_clinician(self) -> bool:
        return self.role in CARE_TEAM_ROLES

    @property
    def needs_two_factor(self) -> bool:
        return self.is_staff_member

    @property
    def role_label(self) -> str:
        return Role(self.role).label

    @property
    def first_name(self) -> str:
        return self.full_name.split(" ", 1)[0] or self.full_name

    @property
    def is_set_up(self) -> bool:
        """Whether she has chosen a password (an invited account has none yet)."""
        return self.has_usable_password()


class AuditEvent(models.Model):
    """One line of the audit log: who did what to which patient's data, when,
    from where. The database refuses UPDATE and DELETE on this table
    (see migration 0002); only `accounts.audit.record` writes it."""

    at = models.DateTimeField(default=timezone.now, db_index=True)
    actor = models.ForeignKey(User, null=True, on_delete=models.PROTECT, related_name="+")
    # "system:demo", "system:worker"... when no person did it.
    actor_label = models.CharField(max_length=100, blank=True)
    action = models.CharField(max_length=60)
    # The patient's public id, not a foreign key: the log outlives any row.
    patient_ref = models.UUIDField(null=True, db_index=True)
    object_type = models.CharField(max_length=60, blank=True)
    object_ref = models.CharField(max_length=64, blank=True)
    ip = models.GenericIPAddressField(null=True)
    detail = models.JSONField(default=dict)

    class Meta:
        ordering = ("at", "id")

    def __str__(self) -> str:
        return f"audit {self.pk} {self.action}"


class ApiToken(models.Model):
    """A personal token for the JSON API. Only a hash is kept: the token is
    shown once, when it is made."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(max_length=100)
    token_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(default=timezone.now)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"api token {self.pk}"


class Invitation(models.Model):
    """A one-time way in for someone whose account was made for them (staff
    by their clinic's admin, a patient by her clinic): a link by email or a
    code printed by her team, good once, for INVITATION_LIFETIME. Only a
    hash is kept. A newer one replaces any earlier one still waiting."""

    class Kind(models.TextChoices):
        LINK = "link", "Link by email"
        CODE = "code", "Printed code"

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="invitations")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    token_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)
    cancelled_at = models.DateTimeField(null=True, blank=True)
    # Whom to ask for a new one, in words for the person invited
    # ("Riverside Breast Oncology, +44 20 7946 0000").
    new_one_from = models.CharField(max_length=200)

    def __str__(self) -> str:
        return f"invitation {self.pk}"

    @property
    def state(self) -> str:
        """ "waiting", "used", "cancelled" or "expired"."""
        if self.used_at is not None:
            return "used"
        if self.cancelled_at is not None:
            return "cancelled"
        if self.expires_at <= timezone.now():
            return "expired"
        return "waiting"


class TokenFailure(models.Model):
    """Wrong API or FHIR tokens from one address in one minute. Counted in
    the database, so every web process shares the count."""

    address = models.CharField(max_length=45)
    minute = models.DateTimeField()
    failures = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["address", "minute"], name="one_count_per_minute")
        ]

    def __str__(self) -> str:
        return f"token failures {self.pk}"
