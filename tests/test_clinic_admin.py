"""A clinic runs itself: its admin enrols patients and invites staff, each
invited person chooses a password from a one-time link (read here from a
real SMTP server) or a printed code, a patient invites her caregivers, and
nobody outside the clinic reaches any of it."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.test import Client
from django.urls import get_resolver, reverse
from django.utils import timezone

from oncopro.accounts.models import AuditEvent, Invitation, Role, User
from oncopro.care import actions as care
from oncopro.care.access import Rule, visible_patients
from oncopro.care.models import CaregiverInvitation, OnCallSlot, Patient
from tests.helpers import run_worker, sign_in
from tests.personas import BY, PASSWORD, World, make_clinician, make_world
from tests.smtp import body_text, smtp_server
from tests.test_access import walk

NEW_PASSWORD = "a long new password for her"


@pytest.fixture
def committed(transactional_db: None) -> World:
    """The personas, in a database whose transactions really commit: the
    invitation emails are queued on commit and sent by the real worker."""
    return make_world()


def link_in(message, path: str) -> str:
    body = body_text(message)
    match = re.search(rf"http://\S+({re.escape(path)}\S+/)", body)
    assert match, body
    return match.group(1)


def enrol_url(world: World) -> str:
    return reverse("clinic:enrol", kwargs={"clinic_id": world.clinic.pk})


def enrolment(world: World, **changes: str) -> dict[str, str]:
    data = {
        "full_name": "Maria Newcomer",
        "date_of_birth": "1961-07-02",
        "phone": "+44 20 7946 0999",
        "email": "maria@example.org",
        "language": "en",
        "temperature_unit": "",
        "care_team": str(world.team.pk),
        "enrolled_on": timezone.localdate().isoformat(),
    }
    return data | changes


def choose_password(client: Client, path: str) -> str:
    """Open an invitation link, choose a password; the page she lands on."""
    page = client.get(path, follow=True)
    assert "Choose a password" in page.content.decode() or "Welcome" in page.content.decode()
    assert page.redirect_chain[-1][0] == reverse("accounts:welcome")  # no secret in the bar
    response = client.post(
        reverse("accounts:welcome"),
        {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )
    assert response.status_code == 302, response.content.decode()
    return response["Location"]


def test_the_admin_enrols_a_patient_who_sets_her_password_and_her_team_sees_her(
    committed: World, settings
) -> None:
    world = committed
    adam = sign_in(Client(), world.adam)
    with smtp_server(settings) as inbox:
        response = adam.post(enrol_url(world), enrolment(world))
        assert response.status_code == 302
        run_worker()
        [message] = inbox.messages
    maria = Patient.objects.get(user__email="maria@example.org")
    assert maria.clinical_details_pending
    assert not maria.user.is_set_up
    assert message["To"] == "maria@example.org"
    body = body_text(message)
    assert "Riverside" in body
    assert "3 days" in body
    for health in ("cancer", "capecitabine", "bone", "oncology"):
        assert health not in body.lower()
    # The admin's page shows what she enrolled, and that a link is waiting.
    page = adam.get(response["Location"]).content.decode()
    assert "Maria Newcomer" in page
    assert "Link by email given" in page

    client = Client()
    landing = choose_password(client, link_in(message, "/accounts/welcome/"))
    assert landing == reverse("home")
    maria.user.refresh_from_db()
    assert maria.user.is_set_up
    assert AuditEvent.objects.filter(action="user.invitation_accepted", actor=maria.user).exists()
    # The link is single use.
    again = Client().get(link_in(message, "/accounts/welcome/"), follow=True).content.decode()
    assert "It has been used already" in again
    # Her team sees her, with her clinical details pending until they enter them.
    nadia = sign_in(Client(), world.nadia)
    panel = nadia.get(reverse("care:team_patients")).content.decode()
    assert "Maria Newcomer" in panel
    assert "Clinical details pending" in panel
    timeline = reverse("care:timeline", kwargs={"patient_id": maria.public_id})
    nadia.post(
        timeline,
        {"care_phase": "active_treatment", "known_metastatic_sites": ["liver"],
         "therapies": "capecitabine", "phone": maria.phone},
    )  # fmt: skip
    maria.refresh_from_db()
    assert not maria.clinical_details_pending
    assert maria.known_metastatic_sites == ["liver"]


def test_an_old_or_replaced_link_says_so_and_who_sends_a_new_one(
    committed: World, settings
) -> None:
    world = committed
    adam = sign_in(Client(), world.adam)
    with smtp_server(settings) as inbox:
        adam.post(enrol_url(world), enrolment(world))
        run_worker()
        first = link_in(inbox.messages[0], "/accounts/welcome/")
        maria = Patient.objects.get(user__email="maria@example.org")
        url = reverse("clinic:patient", kwargs={"clinic_id": world.clinic.pk,
                                                 "patient_id": maria.public_id})  # fmt: skip
        adam.post(url, {"form": "invite"})
        run_worker()
        second = link_in(inbox.messages[1], "/accounts/welcome/")
    replaced = Client().get(first, follow=True).content.decode()
    assert "does not work any more" in replaced
    assert "your care team at Riverside, on +44 20 7946 0000" in replaced  # whom to ask
    Invitation.objects.filter(user=maria.user, used_at=None, cancelled_at=None).update(
        expires_at=timezone.now() - dt.timedelta(minutes=1)
    )
    expired = Client().get(second, follow=True).content.decode()
    assert "works for 3 days, and this one is older" in expired
    assert "+44 20 7946 0000" in expired


def test_a_patient_without_email_signs_in_with_her_phone_after_a_printed_code(
    world: World,
) -> None:
    adam = sign_in(Client(), world.adam)
    response = adam.post(enrol_url(world), enrolment(world, email="", phone="07700 900123"))
    assert response.status_code == 302
    maria = Patient.objects.get(user__full_name="Maria Newcomer")
    assert maria.user.email is None
    assert maria.user.sign_in_phone == "07700900123"
    printed = adam.post(response["Location"], {"form": "code"}).content.decode()
    shown = re.search(r'class="printed-code">([A-Z0-9-]+)<', printed)
    assert shown, printed
    code = shown.group(1)
    assert "your phone number, <strong>07700 900123</strong>" in printed
    client = Client()
    # She types it as she reads it: small letters, spaces for dashes.
    wrong = client.post(reverse("accounts:welcome"), {"code": "AAAA BBBB CCCC"})
    assert wrong.status_code == 400
    assert "That code does not match" in wrong.content.decode()
    response = client.post(reverse("accounts:welcome"), {"code": code.lower().replace("-", " ")})
    assert response.status_code == 302
    assert "Welcome, Maria" in client.get(reverse("accounts:welcome")).content.decode()
    client.post(
        reverse("accounts:welcome"),
        {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )
    fresh = Client()
    signed = fresh.post(
        reverse("accounts:login"), {"username": "07700 900 123", "password": NEW_PASSWORD}
    )
    assert signed.status_code == 302
    assert fresh.get(reverse("home"))["Location"].endswith(f"/patients/{maria.public_id}/")
    # The code worked once.
    used = Client().post(reverse("accounts:welcome"), {"code": code}, follow=True)
    assert "It has been used already" in used.content.decode()


def test_a_bad_enrolment_is_explained_and_keeps_what_was_typed(world: World) -> None:
    adam = sign_in(Client(), world.adam)
    response = adam.post(
        enrol_url(world), enrolment(world, date_of_birth="1960-02-31", email="", phone="")
    )
    assert response.status_code == 400
    body = response.content.decode()
    assert "Please give the date as year-month-day" in body
    assert "She needs an email address or a phone number" in body
    assert 'value="Maria Newcomer"' in body
    assert not Patient.objects.filter(user__full_name="Maria Newcomer").exists()


def test_the_admin_invites_a_nurse_who_then_sets_up_two_factor(committed: World, settings) -> None:
    world = committed
    adam = sign_in(Client(), world.adam)
    url = reverse("clinic:staff", kwargs={"clinic_id": world.clinic.pk})
    with smtp_server(settings) as inbox:
        response = adam.post(
            url,
            {"full_name": "Nina Newnurse", "email": "nina@example.org", "role": "nurse",
             "teams": [str(world.team.pk)]},
        )  # fmt: skip
        assert response.status_code == 302
        run_worker()
        [message] = inbox.messages
    nina = User.objects.get(email="nina@example.org")
    assert nina.memberships.get().team == world.team
    assert "Invited, not set up yet" in adam.get(url).content.decode()
    client = Client()
    landing = choose_password(client, link_in(message, "/accounts/welcome/"))
    # Staff go on to two-factor set-up before anything else.
    response = client.get(landing)
    assert response.status_code == 302
    assert "/accounts/two-factor/" in response["Location"]
    assert "Set up" in adam.get(url).content.decode()
    # The same address again is refused plainly.
    again = adam.post(url, {"full_name": "Nina", "email": "NINA@example.org", "role": "nurse",
                            "teams": [str(world.team.pk)]})  # fmt: skip
    assert again.status_code == 400
    assert "already an account with this email" in again.content.decode()


def test_switching_off_someone_on_call_asks_who_takes_her_place(world: World) -> None:
    nora = make_clinician("Nora Second", world.team)
    care.set_on_call_list(world.team, [world.nadia], by=BY)
    adam = sign_in(Client(), world.adam)
    url = reverse("clinic:deactivate", kwargs={"clinic_id": world.clinic.pk,
                                                "user_id": world.nadia.pk})  # fmt: skip
    page = adam.get(url).content.decode()
    assert "Nadia Nurse is number 1 on call for Breast Oncology. Who takes this place?" in page
    assert "move up" not in page  # she is the only one: the list may not be left empty
    unanswered = adam.post(url, {"confirm": "yes"})
    assert unanswered.status_code == 400
    assert "Choose who takes each place on call" in unanswered.content.decode()
    world.nadia.refresh_from_db()
    assert world.nadia.is_active
    response = adam.post(url, {"confirm": "yes", f"team_{world.team.pk}": str(nora.pk)})
    assert response.status_code == 302
    world.nadia.refresh_from_db()
    assert not world.nadia.is_active
    assert [s.user for s in OnCallSlot.objects.filter(team=world.team)] == [nora]
    # Switched off means at once: her open session sees nothing.
    assert world.alice not in visible_patients(world.nadia)


def test_a_patient_invites_a_caregiver_who_accepts_and_she_is_told(
    committed: World, settings
) -> None:
    world = committed
    alice = sign_in(Client(), world.alice.user)
    url = reverse("care:caregivers", kwargs={"patient_id": world.alice.public_id})
    with smtp_server(settings) as inbox:
        response = alice.post(url, {"email": "Dan.Helper@example.org", "relationship": "son"})
        assert response.status_code == 302
        run_worker()
        [invite] = inbox.messages
        # Until he accepts, he sees nothing, and she sees him waiting.
        assert "Invitations not accepted yet" in alice.get(url).content.decode()
        assert invite["To"] == "dan.helper@example.org"
        assert "capecitabine" not in body_text(invite)
        dan = Client()
        page = dan.get(link_in(invite, "/caregiver-invitation/"), follow=True).content.decode()
        assert "Alice Example has invited you" in page
        # A weak password is explained; what he typed is kept.
        weak = dan.post(
            reverse("care:invitation"),
            {"full_name": "Dan Helper", "new_password1": "dan", "new_password2": "dan"},
        )
        assert weak.status_code == 400
        assert 'value="Dan Helper"' in weak.content.decode()
        response = dan.post(
            reverse("care:invitation"),
            {"full_name": "Dan Helper", "new_password1": NEW_PASSWORD,
             "new_password2": NEW_PASSWORD},
        )  # fmt: skip
        assert response.status_code == 302
        run_worker()
        told = inbox.messages[1]
    assert told["To"] == world.alice.user.email
    assert "Dan Helper accepted your invitation" in body_text(told)
    helper = User.objects.get(email="dan.helper@example.org")
    assert helper.role == Role.CAREGIVER
    assert world.alice in visible_patients(helper)
    assert (
        dan.get(reverse("care:patient", kwargs={"patient_id": world.alice.public_id})).status_code
        == 200
    )


def test_a_cancelled_invitation_lets_nobody_in(committed: World, settings) -> None:
    world = committed
    alice = sign_in(Client(), world.alice.user)
    url = reverse("care:caregivers", kwargs={"patient_id": world.alice.public_id})
    with smtp_server(settings) as inbox:
        alice.post(url, {"email": "dan@example.org"})
        run_worker()
        [invite] = inbox.messages
    invitation = CaregiverInvitation.objects.get()
    cancel = reverse(
        "care:cancel_invitation",
        kwargs={"patient_id": world.alice.public_id, "invitation_id": invitation.pk},
    )
    assert sign_in(Client(), world.carol).post(cancel).status_code == 404  # hers alone
    alice.post(cancel)
    page = Client().get(link_in(invite, "/caregiver-invitation/"), follow=True)
    assert "It was cancelled" in page.content.decode()
    assert not User.objects.filter(email="dan@example.org").exists()


def test_an_existing_caregiver_signs_in_to_accept(committed: World, settings) -> None:
    world = committed
    bob = sign_in(Client(), world.bob.user)
    url = reverse("care:caregivers", kwargs={"patient_id": world.bob.public_id})
    with smtp_server(settings) as inbox:
        bob.post(url, {"email": world.carol.email})
        run_worker()
        link = link_in(inbox.messages[0], "/caregiver-invitation/")
    carol = Client()
    page = carol.get(link, follow=True).content.decode()
    assert "Sign in to accept" in page
    assert world.bob not in visible_patients(world.carol)
    sign_in(carol, world.carol)
    assert "Accept the invitation" in carol.get(reverse("care:invitation")).content.decode()
    carol.post(reverse("care:invitation"))
    assert world.bob in visible_patients(world.carol)


def test_a_patient_who_leaves_the_program_and_her_caregivers_lose_access(world: World) -> None:
    adam = sign_in(Client(), world.adam)
    url = reverse("clinic:patient", kwargs={"clinic_id": world.clinic.pk,
                                             "patient_id": world.alice.public_id})  # fmt: skip
    assert "leaves the program?" in adam.post(url, {"form": "leave"}).content.decode()
    world.alice.refresh_from_db()
    assert world.alice.left_on is None  # asked first
    adam.post(url, {"form": "leave", "confirm": "yes"})
    world.alice.refresh_from_db()
    assert world.alice.left_on == timezone.localdate()
    refused = Client().post(
        reverse("accounts:login"), {"username": world.alice.user.email, "password": PASSWORD}
    )
    assert refused.status_code == 200  # the form again: she cannot sign in
    assert world.alice not in visible_patients(world.carol)
    panel = sign_in(Client(), world.nadia).get(reverse("care:team_patients")).content.decode()
    assert "Alice Example" not in panel
    adam.post(url, {"form": "rejoin"})
    world.alice.refresh_from_db()
    assert world.alice.left_on is None
    assert world.alice in visible_patients(world.carol)


def clinic_admin_urls(world: World) -> list[tuple[str, str]]:
    """Every clinic-admin URL of the project, filled in for Adam's clinic."""
    values = {
        "team_id": world.team.pk,
        "user_id": world.nadia.pk,
        "patient_id": world.alice.public_id,
    }
    urls = []
    for route, pattern, namespace in walk(get_resolver().url_patterns):
        if getattr(pattern.callback, "access_rule", None) is not Rule.CLINIC_ADMIN:
            continue
        names = [name for name in pattern.pattern.converters if name != "clinic_id"]
        unknown = [name for name in names if name not in values]
        assert not unknown, f"{route}: add a value for {unknown} to clinic_admin_urls()"
        kwargs = {"clinic_id": world.clinic.pk} | {name: values[name] for name in names}
        urls.append((route, reverse(f"{namespace}:{pattern.name}", kwargs=kwargs)))
    assert len(urls) >= 10
    return urls


@pytest.mark.parametrize("who", ["olive", "oscar", "nadia", "alice", "carol"])
def test_nobody_but_the_clinics_admin_reaches_its_admin_pages(world: World, who: str) -> None:
    person = {"olive": world.olive, "oscar": world.oscar, "nadia": world.nadia,
              "alice": world.alice.user, "carol": world.carol}[who]  # fmt: skip
    client = sign_in(Client(), person)
    for route, url in clinic_admin_urls(world):
        for method in ("get", "post"):
            response = getattr(client, method)(url, {"form": "leave", "confirm": "yes"})
            assert response.status_code in (403, 404), (who, method, route)
            if who != "alice":
                assert "Alice Example" not in response.content.decode()
    world.alice.refresh_from_db()
    assert world.alice.left_on is None
    adam = sign_in(Client(), world.adam)
    for route, url in clinic_admin_urls(world):
        assert adam.get(url).status_code in (200, 405), route


def test_the_admin_never_sees_clinical_data(world: World) -> None:
    adam = sign_in(Client(), world.adam)
    for _route, url in clinic_admin_urls(world):
        body = adam.get(url).content.decode()
        for clinical in ("capecitabine", "morphine", "Bone", "Active treatment"):
            assert clinical not in body, (url, clinical)
    listed = AuditEvent.objects.filter(action="patient.list", actor=world.adam).latest("id")
    assert str(world.alice.public_id) in listed.detail["patients"]
