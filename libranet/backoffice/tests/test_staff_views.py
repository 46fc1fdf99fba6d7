"""The staff pages' doors (each role against each page) and the invitation through the pages:
invite, send again, withdraw, grant to an existing account, and the invitee's acceptance."""

import datetime
import re

import pytest
from django.utils import timezone

from libranet.network.invitations import invitation_create
from libranet.network.models import Center, Invitation, Region, StaffRole

pytestmark = pytest.mark.django_db
Role = StaffRole.Role
OFFICE = "/en/office/"

ROLES = [
    "admin_user",
    "network_user",
    "international_user",
    "head_tver",
    "operator_user",
    "reader_user",
    None,  # anonymous
]
STAFF = {"admin_user", "network_user", "international_user", "head_tver", "operator_user"}
MANAGERS = STAFF - {"operator_user"}

# page → the roles that may open it (others signed in get 403, anonymous the sign-in page)
PAGES = [
    ("account/", STAFF),
    ("account/password/", STAFF),
    ("account/two-step/", STAFF),
    ("staff/", MANAGERS),
    ("staff/invite/", MANAGERS),
    # the Tver operator's account: within a Tver head's reach, not the international department's
    ("staff/{operator}/deactivate/", {"admin_user", "network_user", "head_tver"}),
    ("staff/{operator}/reset-two-step/", {"admin_user"}),
]


@pytest.mark.parametrize("role", ROLES)
def test_staff_pages_by_role(request, client, tver_rc, operator_user, role):
    if role:
        client.force_login(request.getfixturevalue(role))
    for page, allowed in PAGES:
        path = OFFICE + page.format(operator=operator_user.pk)
        response = client.get(path)
        if role is None:
            assert response.status_code == 302, path
            assert response.headers["Location"].startswith("/en/accounts/login/?next="), path
        else:
            assert response.status_code == (200 if role in allowed else 403), (path, role)


@pytest.mark.parametrize("role", ROLES)
def test_menu_offers_staff_page_to_managers(request, client, role):
    if role is None or role == "reader_user":
        return
    client.force_login(request.getfixturevalue(role))
    html = client.get(OFFICE + "account/").content.decode()
    assert ('href="/en/office/staff/"' in html) == (role in MANAGERS)
    assert 'href="/en/office/account/"' in html


@pytest.fixture
def tver_center(make_center, tver_rc):
    return make_center(code="RU-TVE-0001", name_en="Tver school center")


def invite_form(**overrides):
    data = {
        "email": "new.operator@example.org",
        "role": Role.CENTER_OPERATOR,
        "center": "RU-TVE-0001",
        "language": "en",
    }
    data.update(overrides)
    return data


def test_head_invites_through_the_page(
    settings,
    client,
    head_tver,
    tver_center,
    penza_rc,
    mailoutbox,
    django_capture_on_commit_callbacks,
):
    settings.LIBRANET_SITE_URL = "https://libranet.example"
    client.force_login(head_tver)
    form = client.get(OFFICE + "staff/invite/")
    # A head appoints operators only; the center picker offers their region's centers.
    assert [c[0] for c in form.context["form"].fields["role"].choices] == [Role.CENTER_OPERATOR]
    assert "region" not in form.context["form"].fields
    assert 'data-picker="/en/office/pickers/centers.json"' in form.content.decode()
    offered = client.get(OFFICE + "pickers/centers.json").json()["results"]
    assert "RU-TVE-0001" in {row["value"] for row in offered}
    assert "RU-PNZ-RC" not in {row["value"] for row in offered}

    refused = client.post(OFFICE + "staff/invite/", invite_form(center="RU-PNZ-RC"))
    assert refused.status_code == 200
    assert "does not allow granting" in " ".join(refused.context["form"].errors["role"])
    unknown = client.post(OFFICE + "staff/invite/", invite_form(center="RU-NOPE"))
    assert "There is no center RU-NOPE." in unknown.context["form"].errors["center"]

    with django_capture_on_commit_callbacks(execute=True):
        done = client.post(OFFICE + "staff/invite/", invite_form(center="ru-tve-0001"))
    assert done.status_code == 302 and done.headers["Location"] == OFFICE + "staff/"
    [mail] = mailoutbox
    assert re.search(r"https://libranet\.example/en/accounts/invitation/[\w-]+/", mail.body)
    assert "center operator" in mail.subject
    listing = client.get(OFFICE + "staff/").content.decode()
    assert "new.operator@example.org" in listing and "valid until" in listing


def test_send_again_and_withdraw_through_the_page(
    client, head_tver, tver_center, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        invitation, _token = invitation_create(
            actor=head_tver, email="x@example.org", role=Role.CENTER_OPERATOR, center=tver_center
        )
    client.force_login(head_tver)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(OFFICE + f"staff/invitations/{invitation.pk}/resend/")
    assert len(mailoutbox) == 2
    client.post(OFFICE + f"staff/invitations/{invitation.pk}/revoke/")
    invitation.refresh_from_db()
    assert invitation.state == Invitation.State.REVOKED
    # Gone from the list; a second withdrawal finds nothing to withdraw.
    assert client.post(OFFICE + f"staff/invitations/{invitation.pk}/revoke/").status_code == 404


def test_anothers_invitation_is_not_found(client, make_staff, head_tver, tver_center):
    invitation, _token = invitation_create(
        actor=head_tver, email="x@example.org", role=Role.CENTER_OPERATOR, center=tver_center
    )
    head_penza = make_staff(
        "head.penza", Role.REGIONAL_HEAD, region=Region.objects.get(code="RU-PNZ")
    )
    client.force_login(head_penza)
    assert client.post(OFFICE + f"staff/invitations/{invitation.pk}/revoke/").status_code == 404


def test_existing_account_is_offered_the_role_instead(client, head_tver, reader_user, tver_center):
    reader_user.email = "reader@example.org"
    reader_user.save()
    client.force_login(head_tver)
    response = client.post(OFFICE + "staff/invite/", invite_form(email="Reader@example.org"))
    assert response.status_code == 200
    assert "already exists (reader)" in " ".join(response.context["form"].errors["email"])
    assert 'id="grant-existing"' in response.content.decode()
    granted = client.post(OFFICE + "staff/grant/", invite_form(email="Reader@example.org"))
    assert granted.status_code == 302
    assert StaffRole.objects.filter(user=reader_user, center=tver_center).exists()


def test_deactivate_through_the_page(client, head_tver, operator_user):
    client.force_login(head_tver)
    assert client.post(OFFICE + f"staff/{operator_user.pk}/deactivate/").status_code == 302
    operator_user.refresh_from_db()
    assert not operator_user.is_active


# --- the invitee ------------------------------------------------------------------------------


def accept_form(**overrides):
    data = {
        "username": "anna.petrova",
        "first_name": "Анна",
        "last_name": "Петрова",
        "password": "orchard-meridian-lantern-64",
        "password2": "orchard-meridian-lantern-64",
    }
    data.update(overrides)
    return data


def test_invitee_accepts_and_is_signed_in(client, head_tver, tver_center):
    _invitation, token = invitation_create(
        actor=head_tver, email="anna@example.org", role=Role.CENTER_OPERATOR, center=tver_center
    )
    url = f"/en/accounts/invitation/{token}/"
    page = client.get(url)
    html = page.content.decode()
    assert page.status_code == 200
    assert "head.tver" in html and "center operator" in html and "Tver school center" in html
    mismatch = client.post(url, accept_form(password2="something-else-entirely-1"))
    assert "The two passwords differ." in mismatch.context["form"].errors["password2"]
    weak = client.post(url, accept_form(password="anna.petrova1", password2="anna.petrova1"))
    assert "too similar" in " ".join(weak.context["form"].errors["password"])

    done = client.post(url, accept_form())
    assert done.status_code == 302 and done.headers["Location"] == OFFICE + "account/"
    account = client.get(OFFICE + "account/")
    assert account.status_code == 200 and "center operator: Tver school center" in account.text

    client.logout()
    again = client.get(url)
    assert again.status_code == 410 and "already been used" in again.text


def test_network_invitee_must_set_up_two_step_first(client, network_user):
    _invitation, token = invitation_create(
        actor=network_user, email="new@example.org", role=Role.NETWORK_DEPARTMENT
    )
    client.post(f"/en/accounts/invitation/{token}/", accept_form(username="new.network"))
    response = client.get(OFFICE + "account/")
    assert response.headers["Location"].startswith(OFFICE + "account/two-step/?next=")


def test_expired_and_unknown_links(client, head_tver, tver_center, time_machine):
    time_machine.move_to(timezone.now())
    _invitation, token = invitation_create(
        actor=head_tver, email="late@example.org", role=Role.CENTER_OPERATOR, center=tver_center
    )
    time_machine.shift(datetime.timedelta(days=8))
    expired = client.post(f"/en/accounts/invitation/{token}/", accept_form())
    assert expired.status_code == 410 and "expired on" in expired.text
    unknown = client.get("/en/accounts/invitation/not-a-token/")
    assert unknown.status_code == 404 and "not valid" in unknown.text
    assert not Center.objects.filter(staff_roles__user__username="anna.petrova").exists()
