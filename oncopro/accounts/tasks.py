"""Background tasks of accounts (Django's Tasks framework; `oncopro worker` runs them)."""

from __future__ import annotations

from django.tasks import task

from oncopro.accounts.invitations import email_invitation


@task
def send_invitation(user_id: int, intro: str, new_one_from: str) -> bool:
    """Email a one-time link to an account made for someone."""
    return email_invitation(user_id, intro, new_one_from)
