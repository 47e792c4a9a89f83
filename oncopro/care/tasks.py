"""Background tasks of care (Django's Tasks framework; `oncopro worker` runs them)."""

from __future__ import annotations

from django.tasks import task

from oncopro.care.invitations import email_accepted, email_invitation


@task
def send_caregiver_invitation(invitation_id: int) -> bool:
    return email_invitation(invitation_id)


@task
def tell_patient_caregiver_accepted(invitation_id: int) -> bool:
    return email_accepted(invitation_id)
