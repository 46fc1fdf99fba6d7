"""A staff member's account and sign-in through the pages: the second factor (required for the
network department and administrators, voluntary for others), password change, signing out
everywhere, sessions that expire."""

import re

import pytest
from django.conf import settings
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from conftest import PASSWORD, with_authenticator
from libranet.audit.models import AuditEntry
from libranet.backoffice.account_views import TOTP_KEY_SESSION
from libranet.network.models import StaffRole

pytestmark = pytest.mark.django_db
Role = StaffRole.Role
OFFICE = "/en/office/"
SETUP = "/en/office/account/two-step/"
CODE = "/en/accounts/login/code/"


def code_for(device_or_key, *, later=0):
    """The authenticator app's current code (or the one ``later`` steps ahead)."""
    key = device_or_key.bin_key if isinstance(device_or_key, TOTPDevice) else device_or_key
    totp = TOTP(key)
    totp.drift = later
    return f"{totp.token():06d}"


def password_sign_in(client, username, next_url=""):
    return client.post(
        "/en/accounts/login/", {"username": username, "password": PASSWORD, "next": next_url}
    )


@pytest.fixture
def new_network_user(make_staff):
    """A network-department account that has not set up its authenticator yet."""
    return make_staff("network.new", Role.NETWORK_DEPARTMENT)


def test_required_second_factor_is_set_up_before_any_office_page(client, new_network_user):
    client.force_login(new_network_user)
    for page in ("", "centers/", "account/", "staff/"):
        response = client.get(OFFICE + page)
        assert response.status_code == 302, page
        assert (
            response.headers["Location"]
            == f"{SETUP}?next=%2Fen%2Foffice%2F{page.replace('/', '%2F')}"
        )
    # The API does not take such a session as signed in either (tokens are separate).
    assert client.post("/api/v1/centers", {}, content_type="application/json").status_code == 401

    page = client.get(f"{SETUP}?next=/en/office/centers/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "<svg" in html and 'id="totp-secret"' in html
    key = client.session[TOTP_KEY_SESSION]
    shown = re.search(r'id="totp-secret">([A-Z2-7 ]+)<', html).group(1).replace(" ", "")
    assert shown == __import__("base64").b32encode(bytes.fromhex(key)).decode().rstrip("=")
    assert not TOTPDevice.objects.exists()  # looking at the page writes nothing

    wrong = client.post(SETUP, {"otp_token": "000000", "next": "/en/office/centers/"})
    assert wrong.status_code == 200 and "does not match" in wrong.content.decode()
    done = client.post(
        SETUP, {"otp_token": code_for(bytes.fromhex(key)), "next": "/en/office/centers/"}
    )
    assert done.status_code == 302 and done.headers["Location"] == "/en/office/centers/"
    assert client.get(OFFICE + "centers/").status_code == 200
    assert TOTPDevice.objects.get(user=new_network_user).confirmed
    assert AuditEntry.objects.filter(action="user.totp_set", actor=new_network_user).exists()


def test_with_an_authenticator_the_code_is_asked_after_the_password(client, network_user):
    response = password_sign_in(client, "network", "/en/office/centers/")
    assert response.status_code == 302
    assert response.headers["Location"] == f"{CODE}?next=%2Fen%2Foffice%2Fcenters%2F"
    # Signed in with the password alone: no office page, no staff API, no role anywhere.
    assert client.get(OFFICE).headers["Location"] == f"{CODE}?next=%2Fen%2Foffice%2F"
    assert client.get(SETUP).headers["Location"].startswith(CODE)  # no replacing it either
    assert client.post("/api/v1/centers", {}, content_type="application/json").status_code == 401
    assert client.get("/en/").context["is_staff_member"] is False

    device = TOTPDevice.objects.get(user=network_user)
    wrong = client.post(CODE, {"otp_token": "000000", "next": "/en/office/centers/"})
    assert wrong.status_code == 200 and "wrong or has expired" in wrong.content.decode()
    assert client.get(OFFICE).status_code == 302
    device.refresh_from_db()
    device.throttling_failure_timestamp = None  # the wrong code's 1-second wait is over
    device.save()
    right = client.post(CODE, {"otp_token": code_for(device), "next": "/en/office/centers/"})
    assert right.status_code == 302 and right.headers["Location"] == "/en/office/centers/"
    assert client.get(OFFICE).status_code == 200


def test_wrong_codes_slow_down(client, network_user, time_machine):
    from django.utils import timezone

    time_machine.move_to(timezone.now(), tick=False)
    password_sign_in(client, "network")
    client.post(CODE, {"otp_token": "000000"})
    device = TOTPDevice.objects.get(user=network_user)
    too_soon = client.post(CODE, {"otp_token": code_for(device)})
    assert too_soon.status_code == 429 and "Wait 1 second" in too_soon.content.decode()
    time_machine.shift(1)
    assert client.post(CODE, {"otp_token": code_for(device)}).status_code == 302


def test_a_used_code_cannot_be_used_again(client, network_user):
    device = TOTPDevice.objects.get(user=network_user)
    code = code_for(device)
    password_sign_in(client, "network")
    assert client.post(CODE, {"otp_token": code}).status_code == 302
    client.logout()
    password_sign_in(client, "network")
    assert client.post(CODE, {"otp_token": code}).status_code == 200  # replayed: refused


def test_head_may_turn_two_step_on_and_off(client, head_tver):
    client.force_login(head_tver)
    assert client.get(OFFICE).status_code == 200  # not required for a head
    account = client.get(OFFICE + "account/").content.decode()
    assert "Set up two-step sign-in" in account
    client.get(SETUP)
    key = bytes.fromhex(client.session[TOTP_KEY_SESSION])
    assert (
        client.post(SETUP, {"otp_token": code_for(key)}).headers["Location"] == OFFICE + "account/"
    )
    assert "Turn off" in client.get(OFFICE + "account/").content.decode()

    other = client.__class__()
    assert password_sign_in(other, "head.tver").headers["Location"].startswith(CODE)
    response = client.post(OFFICE + "account/two-step/off/")
    assert response.status_code == 302 and not TOTPDevice.objects.filter(user=head_tver).exists()
    assert client.get(OFFICE).status_code == 200  # this session goes on
    assert other.get(OFFICE).status_code == 302  # the others end
    assert AuditEntry.objects.filter(action="user.totp_remove", actor=head_tver).exists()


def test_required_two_step_cannot_be_turned_off(client, network_user):
    client.force_login(network_user)
    client.post(OFFICE + "account/two-step/off/")
    assert TOTPDevice.objects.filter(user=network_user).exists()


def test_account_page_shows_roles_and_state(client, head_tver, network_user):
    client.force_login(head_tver)
    html = client.get(OFFICE + "account/").content.decode()
    assert "head.tver" in html and "regional-center head: Tver Region" in html
    client.force_login(network_user)
    html = client.get(OFFICE + "account/").content.decode()
    assert "Your role requires it." in html and "Turn off" not in html


def test_sign_out_everywhere(client, head_tver):
    elsewhere = client.__class__()
    client.force_login(head_tver)
    elsewhere.force_login(head_tver)
    assert elsewhere.get(OFFICE).status_code == 200
    response = client.post(OFFICE + "account/sign-out-everywhere/")
    assert response.headers["Location"] == "/en/accounts/login/"
    for browser in (client, elsewhere):
        assert browser.get(OFFICE).headers["Location"].startswith("/en/accounts/login/")
    head_tver.refresh_from_db()
    assert head_tver.session_epoch == 1
    assert AuditEntry.objects.filter(action="user.sign_out_everywhere", actor=head_tver).exists()
    # The password still works: only the sessions ended.
    assert password_sign_in(client, "head.tver").status_code == 302


def test_password_change_keeps_this_session_and_ends_the_others(client, head_tver):
    elsewhere = client.__class__()
    client.force_login(head_tver)
    elsewhere.force_login(head_tver)
    new = "juniper-coastline-veranda-71"
    wrong_old = client.post(
        OFFICE + "account/password/",
        {"old_password": "nope", "new_password1": new, "new_password2": new},
    )
    assert "old_password" in wrong_old.context["form"].errors
    done = client.post(
        OFFICE + "account/password/",
        {"old_password": PASSWORD, "new_password1": new, "new_password2": new},
    )
    assert done.status_code == 302
    assert client.get(OFFICE).status_code == 200
    assert elsewhere.get(OFFICE).status_code == 302
    assert AuditEntry.objects.filter(action="user.password_change", actor=head_tver).exists()


def test_administrator_resets_a_lost_authenticator(client, admin_user, network_user):
    client.force_login(admin_user)
    page = OFFICE + f"staff/{network_user.pk}/reset-two-step/"
    assert client.get(page).status_code == 200
    assert client.post(page).status_code == 302
    assert not TOTPDevice.objects.filter(user=network_user).exists()
    # At the next sign-in the network user sets up a new one before anything else.
    other = client.__class__()
    password_sign_in(other, "network")
    assert other.get(OFFICE).headers["Location"].startswith(SETUP)


def test_sessions_expire():
    assert settings.SESSION_COOKIE_AGE == 12 * 3600
    assert settings.SESSION_EXPIRE_AT_BROWSER_CLOSE


def test_with_authenticator_helper_is_what_required_roles_have(make_staff):
    user = with_authenticator(make_staff("x", Role.ADMINISTRATOR))
    assert TOTPDevice.objects.filter(user=user, confirmed=True).count() == 1


def test_wrong_old_passwords_are_slowed_down_counted_and_lock_the_account(
    client, head_tver, time_machine
):
    """The old password of the password change is a door to the account like the sign-in
    form: the same counters, the same slow-down and lockout, and each failure audited."""
    from axes.models import AccessAttempt
    from django.utils import timezone

    time_machine.move_to(timezone.now(), tick=False)
    client.force_login(head_tver)
    new = "juniper-coastline-veranda-71"

    def change(old):
        return client.post(
            OFFICE + "account/password/",
            {"old_password": old, "new_password1": new, "new_password2": new},
        )

    assert [change(f"guess-{i}").status_code for i in range(3)] == [200] * 3
    too_soon = change(PASSWORD)  # even the right one is refused unchecked
    assert too_soon.status_code == 429 and "Wait 2 seconds" in too_soon.content.decode()
    for wait in (2, 4):  # the fourth and fifth failures
        time_machine.shift(wait)
        assert change("guess").status_code == 200
    assert AccessAttempt.objects.get(username="head.tver").failures_since_start == 5
    entries = AuditEntry.objects.filter(action="user.password_change_failed", actor=head_tver)
    assert entries.count() == 5
    time_machine.shift(60)
    locked = change(PASSWORD)
    assert locked.status_code == 429 and "Try again in 14 minutes." in locked.content.decode()
    assert password_sign_in(client.__class__(), "head.tver").status_code == 429  # the same lock
    time_machine.shift(14 * 60 + 1)
    assert change(PASSWORD).status_code == 302


def test_wrong_codes_are_counted_and_lock_the_account(client, network_user, time_machine):
    """Whoever has the password must not try codes for ever: wrong codes count as failed
    sign-ins of the account (slow-down, then lockout of every door), and are audited."""
    from axes.models import AccessAttempt
    from django.utils import timezone

    time_machine.move_to(timezone.now(), tick=False)
    assert password_sign_in(client, "network").status_code == 302
    device = TOTPDevice.objects.get(user=network_user)
    for wait in (0, 1, 2, 4, 8):  # each time past the device's and the account's waits
        time_machine.shift(wait)
        wrong = client.post(CODE, {"otp_token": "000000"})
        assert wrong.status_code == 200 and "wrong or has expired" in wrong.content.decode()
    assert AccessAttempt.objects.get(username="network").failures_since_start == 5
    assert AuditEntry.objects.filter(action="user.totp_failed", actor=network_user).count() == 5
    time_machine.shift(60)
    locked = client.post(CODE, {"otp_token": code_for(device)})
    assert locked.status_code == 429 and "Try again in 14 minutes." in locked.content.decode()
    assert client.get(OFFICE).status_code == 302  # not signed in with the code
    assert password_sign_in(client.__class__(), "network").status_code == 429
