"""Writing the audit log: every staff read of patient data and every write.

Actions take an `Actor` (who, from where) rather than a request, so the same
code serves views, the API, the worker and the demo loader.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from oncopro.accounts.models import AuditEvent, User

if TYPE_CHECKING:
    from django.http import HttpRequest


@dataclass(frozen=True)
class Actor:
    user: User | None
    ip: str | None = None
    label: str = ""

    @classmethod
    def from_request(cls, request: HttpRequest, *, person: User | None = None) -> Actor:
        """Who made this request: the signed-in person, or `person` (someone
        the request itself is signing in: a reset or an accepted invitation)."""
        user = person or (request.user if request.user.is_authenticated else None)
        return cls(user=user, ip=request.META.get("REMOTE_ADDR") or None)

    @classmethod
    def system(cls, what: str) -> Actor:
        return cls(user=None, label=f"system:{what}")


def record(
    actor: Actor,
    action: str,
    *,
    patient_ref: uuid.UUID | None = None,
    obj: Any = None,
    detail: dict[str, Any] | None = None,
) -> AuditEvent:
    """Append one audit event. Call it inside the transaction of the write it
    describes, so that both land or neither does."""
    event = audit_event(actor, action, patient_ref=patient_ref, obj=obj, detail=detail)
    event.save(force_insert=True)
    return event


def audit_event(
    actor: Actor,
    action: str,
    *,
    patient_ref: uuid.UUID | None = None,
    obj: Any = None,
    detail: dict[str, Any] | None = None,
) -> AuditEvent:
    """The audit row, not yet saved (`record` saves it; bulk writers collect them)."""
    return AuditEvent(
        actor=actor.user,
        actor_label=actor.label,
        action=action,
        patient_ref=patient_ref,
        object_type=type(obj).__name__ if obj is not None else "",
        object_ref=str(obj.pk) if obj is not None else "",
        ip=actor.ip,
        detail=detail or {},
    )
