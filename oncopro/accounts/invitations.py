"""Invitations to an account made for someone: the email with its one-time
link, made and sent by the worker (so the secret never waits in the task
queue), and the printed code her team hands her. Each link or code is good
once, for INVITATION_LIFETIME; only its hash is kept."""

from __future__ import annotations

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from oncopro.accounts.audit import Actor, record
from oncopro.accounts.models import Invitation, User
from oncopro.accounts.tokens import (
    INVITATION_LIFETIME,
    hash_token,
    new_link_secret,
    new_printed_code,
    typed_code,
)

SUBJECT = "Your OncoPRO account is ready"
BODY = """Hello {first_name},

{intro}

Choose your password here. The link works once, for 3 days:
{link}

If the link has expired, ask {new_one_from} for a new one.

This email was sent by {site}. It has no health information in it on purpose.
"""


def _replace_waiting(user: User, kind: str, secret: str, new_one_from: str) -> Invitation:
    """A new invitation for her; any earlier one still waiting stops working."""
    now = timezone.now()
    Invitation.objects.filter(user=user, used_at=None, cancelled_at=None).update(cancelled_at=now)
    return Invitation.objects.create(
        user=user,
        kind=kind,
        token_hash=hash_token(secret),
        expires_at=now + INVITATION_LIFETIME,
        new_one_from=new_one_from[:200],
    )


def email_invitation(user_id: int, intro: str, new_one_from: str) -> bool:
    """Make her link and email it (the worker runs this). False if there is
    nobody to send it to any more (an account switched off, set up already,
    or without email)."""
    user = User.objects.filter(pk=user_id, is_active=True).first()
    if user is None or not user.email or user.is_set_up:
        return False
    secret = new_link_secret()
    with transaction.atomic():
        invitation = _replace_waiting(user, Invitation.Kind.LINK, secret, new_one_from)
        record(Actor.system("worker"), "user.invitation_sent", obj=user,
               detail={"invitation": invitation.pk})  # fmt: skip
    link = settings.SITE_ROOT + reverse("accounts:welcome_link", kwargs={"secret": secret})
    body = BODY.format(
        first_name=user.first_name, intro=intro, link=link, new_one_from=new_one_from,
        site=settings.SITE_NAME,
    )  # fmt: skip
    send_mail(SUBJECT, body, None, [user.email])
    return True


@transaction.atomic
def print_code(user: User, new_one_from: str, *, by: Actor) -> tuple[str, Invitation]:
    """A one-time code for her team to print and hand her (she may have no
    email), shown once and never kept; and its invitation (when it expires)."""
    code = new_printed_code()
    invitation = _replace_waiting(user, Invitation.Kind.CODE, code, new_one_from)
    record(by, "user.invitation_printed", obj=user, detail={"invitation": invitation.pk})
    return code, invitation


def invitation_by_secret(secret: str) -> Invitation | None:
    """The invitation a link's secret or a typed code opens, in any state."""
    candidates = {hash_token(secret), hash_token(typed_code(secret))}
    return Invitation.objects.filter(token_hash__in=candidates).select_related("user").first()


@transaction.atomic
def accept(invitation: Invitation, password: str, *, by: Actor) -> User:
    """She chose her password: the invitation is used up, her account set up."""
    user = invitation.user
    invitation.used_at = timezone.now()
    invitation.save(update_fields=["used_at"])
    user.set_password(password)
    user.save(update_fields=["password"])
    record(by, "user.invitation_accepted", obj=user,
           detail={"invitation": invitation.pk})  # fmt: skip
    return user


@transaction.atomic
def cancel_waiting(user: User, *, by: Actor) -> int:
    """Every invitation of hers still waiting stops working (she left, or
    her account was switched off)."""
    cancelled = Invitation.objects.filter(user=user, used_at=None, cancelled_at=None).update(
        cancelled_at=timezone.now()
    )
    if cancelled:
        record(by, "user.invitations_cancelled", obj=user, detail={"count": cancelled})
    return cancelled
