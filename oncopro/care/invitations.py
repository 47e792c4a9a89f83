"""A patient's invitations to caregivers: the email with its one-time link
(made and sent by the worker, so the secret never waits in the task queue),
finding an invitation by the link's secret, and telling her when someone
accepted. Emails carry no health details."""

from __future__ import annotations

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.urls import reverse

from oncopro.accounts.audit import Actor, record
from oncopro.accounts.tokens import hash_token, new_link_secret
from oncopro.care.models import CaregiverInvitation

INVITE_SUBJECT = "{name} has invited you to OncoPRO"
INVITE_BODY = """Hello,

{name} has invited you to help her in OncoPRO, the app she uses with her care team.
If you accept, you will see what she reports and can report for her.
She can end this at any time.

Accept here. The link works once, for 3 days:
{link}

If the link has expired, ask {first_name} to send you a new one.
If you do not know her, you can ignore this email.

This email was sent by {site}. It has no health information in it on purpose.
"""

ACCEPTED_SUBJECT = "{name} accepted your invitation"
ACCEPTED_BODY = """Hello {first_name},

{name} accepted your invitation. They can now see your reports and report for you.

You can change who sees your reports at any time: {link}

This email was sent by {site}. It has no health information in it on purpose.
"""


def email_invitation(invitation_id: int) -> bool:
    """Make the link and email it (the worker runs this). False if the
    invitation is no longer waiting (cancelled, say, before it went)."""
    invitation = (
        CaregiverInvitation.objects.filter(pk=invitation_id).select_related("patient__user").first()
    )
    if invitation is None or invitation.state != "waiting" or invitation.token_hash:
        return False
    secret = new_link_secret()
    patient = invitation.patient
    with transaction.atomic():
        invitation.token_hash = hash_token(secret)
        invitation.save(update_fields=["token_hash"])
        record(Actor.system("worker"), "caregiver.invitation_sent",
               patient_ref=patient.public_id, obj=invitation)  # fmt: skip
    link = settings.SITE_ROOT + reverse("care:invitation_link", kwargs={"secret": secret})
    body = INVITE_BODY.format(
        name=patient.full_name, first_name=patient.first_name, link=link, site=settings.SITE_NAME
    )
    send_mail(INVITE_SUBJECT.format(name=patient.full_name), body, None, [invitation.email])
    return True


def email_accepted(invitation_id: int) -> bool:
    """Tell her that the person she invited accepted (if she has email)."""
    invitation = (
        CaregiverInvitation.objects.filter(pk=invitation_id, link__isnull=False)
        .select_related("patient__user", "link__caregiver")
        .first()
    )
    if invitation is None or invitation.link is None or not invitation.patient.user.email:
        return False
    patient = invitation.patient
    name = invitation.link.caregiver.full_name
    link = settings.SITE_ROOT + reverse("care:caregivers", kwargs={"patient_id": patient.public_id})
    body = ACCEPTED_BODY.format(
        first_name=patient.first_name, name=name, link=link, site=settings.SITE_NAME
    )
    send_mail(ACCEPTED_SUBJECT.format(name=name), body, None, [patient.user.email or ""])
    return True


def invitation_by_secret(secret: str) -> CaregiverInvitation | None:
    return (
        CaregiverInvitation.objects.filter(token_hash=hash_token(secret))
        .select_related("patient__user")
        .first()
    )
