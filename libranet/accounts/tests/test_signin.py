"""Staff sign-in under attack: slow-down, then lockout, per account and per address; the page
says how long to wait; a correct password is refused while locked and works after the cool-off.
Time is moved, never waited for."""

import datetime
from urllib.parse import urlencode

import pytest
from axes.models import AccessAttempt
from django.test import Client
from django.utils import timezone

from conftest import PASSWORD

pytestmark = pytest.mark.django_db
LOGIN = "/en/accounts/login/"
HOME = "198.51.100.7"
ELSEWHERE = "203.0.113.9"


@pytest.fixture
def frozen(time_machine):
    time_machine.move_to(timezone.now(), tick=False)
    return time_machine


def sign_in(client, username, password, address=HOME):
    return client.post(
        LOGIN, {"username": username, "password": password, "next": ""}, REMOTE_ADDR=address
    )


def fail_patiently(client, frozen, usernames, address=HOME):
    """Fail once per username, each time waiting out the slow-down (2, 4, 8... s, at most 60)."""
    response = None
    for count, username in enumerate(usernames, start=1):
        response = sign_in(client, username, "wrong", address=address)
        assert response.status_code in (200, 429), response.status_code
        if count >= 3:
            frozen.shift(datetime.timedelta(seconds=min(2 ** (count - 2), 60)))
    return response


def signed_in_as(client):
    return client.session.get("_auth_user_id")


def test_burst_is_slowed_down_after_three_failures(client, head_tver, frozen):
    answers = [sign_in(client, "head.tver", f"wrong-{i}").status_code for i in range(20)]
    # Three failures are checked; every attempt after them comes too soon and is refused
    # unchecked (the password is not even tried), so the burst costs three failures only.
    assert answers == [200] * 3 + [429] * 17
    assert sum(a.failures_since_start for a in AccessAttempt.objects.all()) == 3
    response = sign_in(client, "head.tver", PASSWORD)
    assert response.status_code == 429 and not signed_in_as(client)
    assert "Too many failed sign-ins. Wait 2 seconds and try again." in response.text
    frozen.shift(datetime.timedelta(seconds=2))
    assert sign_in(client, "head.tver", PASSWORD).status_code == 302


def test_account_is_locked_then_released_after_the_cool_off(client, head_tver, frozen):
    response = fail_patiently(client, frozen, ["head.tver"] * 5)
    assert response.status_code == 429
    assert "Too many failed sign-ins. Try again in 15 minutes." in response.text
    assert 'id="sign-in-refused"' in response.text and 'name="username"' in response.text

    # The right password does not help while locked, from this address or any other.
    for address in (HOME, ELSEWHERE):
        response = sign_in(client, "head.tver", PASSWORD, address=address)
        assert response.status_code == 429, address
        assert not signed_in_as(client)
    # Refused attempts are not counted, so the lock ends when announced.
    assert sum(a.failures_since_start for a in AccessAttempt.objects.all()) == 5

    frozen.shift(datetime.timedelta(minutes=14))  # since the last failure, 8 s after it
    assert "Try again in 1 minute." in sign_in(client, "head.tver", PASSWORD).text
    frozen.shift(datetime.timedelta(seconds=53))
    response = sign_in(client, "head.tver", PASSWORD)
    assert response.status_code == 302 and signed_in_as(client) == str(head_tver.pk)
    assert not AccessAttempt.objects.filter(username="head.tver").exists()


def test_address_is_locked_after_failures_across_accounts(client, head_tver, frozen):
    fail_patiently(client, frozen, [f"guess-{i}" for i in range(20)])
    response = sign_in(client, "head.tver", PASSWORD)
    assert response.status_code == 429 and "Try again in" in response.text
    # The account itself is not locked: from another address it signs in.
    response = sign_in(client, "head.tver", PASSWORD, address=ELSEWHERE)
    assert response.status_code == 302 and signed_in_as(client) == str(head_tver.pk)


def test_a_few_failures_at_one_address_lock_nobody_else(client, head_tver, make_staff, frozen):
    """Many staff of one library sign in from one address: one of them mistyping must not
    lock out the others (the address's limit is higher than an account's)."""
    make_staff("colleague")
    fail_patiently(client, frozen, ["colleague"] * 5)
    assert sign_in(client, "colleague", PASSWORD).status_code == 429
    assert sign_in(client, "head.tver", PASSWORD).status_code == 302


def test_success_clears_the_accounts_failures_not_the_addresss(client, head_tver, frozen):
    fail_patiently(client, frozen, ["someone-else", "head.tver", "head.tver", "head.tver"])
    frozen.shift(datetime.timedelta(seconds=8))
    assert sign_in(client, "head.tver", PASSWORD).status_code == 302
    assert not AccessAttempt.objects.filter(username="head.tver").exists()
    assert AccessAttempt.objects.filter(username="someone-else", ip_address=HOME).exists()


def test_sign_in_page_offers_password_reset(client):
    response = client.get(LOGIN)
    assert response.status_code == 200
    assert 'href="/en/accounts/password-reset/"' in response.text


LOOK_ALIKE = "ｈｅａｄ．ｔｖｅｒ"  # full-width letters: NFKC makes them "head.tver"


def test_a_look_alike_username_meets_the_same_counters(client, head_tver, frozen):
    """Django signs a look-alike spelling in to the same account, so its failures count there:
    from changing addresses (no address's counter applies) it escapes neither the account's
    slow-down nor its lockout."""
    for number in range(3):
        assert sign_in(client, "head.tver", "wrong", address=f"192.0.2.{number}").status_code == 200
    response = sign_in(client, LOOK_ALIKE, PASSWORD, address="192.0.2.100")
    assert response.status_code == 429 and "Wait 2 seconds" in response.text
    assert not signed_in_as(client)

    for number, (wait, name) in enumerate(((2, LOOK_ALIKE), (4, " " + LOOK_ALIKE)), start=3):
        frozen.shift(datetime.timedelta(seconds=wait))  # the fourth and fifth failures
        sign_in(client, name, "wrong", address=f"192.0.2.{number}")
    assert set(AccessAttempt.objects.values_list("username", flat=True)) == {"head.tver"}
    for name in ("head.tver", LOOK_ALIKE):
        response = sign_in(client, name, PASSWORD, address="192.0.2.101")
        assert response.status_code == 429 and "Try again in 15 minutes." in response.text
    frozen.shift(datetime.timedelta(minutes=15, seconds=1))
    assert sign_in(client, LOOK_ALIKE, PASSWORD).status_code == 302
    assert signed_in_as(client) == str(head_tver.pk)
    assert not AccessAttempt.objects.filter(username="head.tver").exists()


@pytest.mark.parametrize("encoding", ["urlencoded", "multipart"])
def test_a_null_character_in_the_username_is_a_form_error(client, head_tver, frozen, encoding):
    """No account's name holds one, and PostgreSQL cannot compare with one: the counters skip
    the name (the address still counts) and the form says what is wrong, in either encoding
    (the door's middleware reads only urlencoded forms)."""
    data = {"username": "head\x00tver", "password": "wrong", "next": ""}
    if encoding == "urlencoded":
        response = client.post(
            LOGIN, urlencode(data), content_type="application/x-www-form-urlencoded"
        )
    else:
        response = client.post(LOGIN, data)
    assert response.status_code in (200, 400)
    assert not signed_in_as(client)


def test_failures_on_two_servers_lock_the_account(head_tver, frozen, cache_server):
    """Failures are counted in the database, so servers sharing it (here each with its own
    client of a shared Redis cache) count them together: failures through A and B lock the
    account on both."""
    server_a, server_b = Client(), Client()
    for count in range(1, 6):
        with cache_server():
            server = server_a if count % 2 else server_b
            assert sign_in(server, "head.tver", "wrong").status_code == (429 if count == 5 else 200)
        if count >= 3:
            frozen.shift(datetime.timedelta(seconds=min(2 ** (count - 2), 60)))
    for server in (server_a, server_b):
        with cache_server():
            response = sign_in(server, "head.tver", PASSWORD, address=ELSEWHERE)
        assert response.status_code == 429 and "Try again in 15 minutes." in response.text
