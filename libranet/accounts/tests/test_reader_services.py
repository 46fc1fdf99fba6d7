"""Readers' accounts: created from a verified ESIA identity, kept current, given the readers
level only when confirmed and consented, and deleted on request without a trace of the person."""

import pytest
from django.contrib.auth.models import AnonymousUser

from libranet.accounts.models import EsiaIdentity, User
from libranet.accounts.selectors import (
    is_confirmed_reader,
    is_reader,
    reader_needs_consent,
    reader_stored_data,
)
from libranet.accounts.services import (
    ReaderError,
    reader_accept_consent,
    reader_delete,
    reader_sign_in_with_esia,
)
from libranet.audit.models import AuditEntry

pytestmark = pytest.mark.django_db

PERSON = {
    "oid": "1000000001",
    "confirmed": True,
    "first_name": "Анна",
    "last_name": "Смирнова",
    "email": "anna@example.org",
}


def sign_in(**changes):
    return reader_sign_in_with_esia(**{**PERSON, **changes})


def test_first_sign_in_creates_a_reader_with_only_what_esia_gave():
    user = sign_in()
    identity = user.esia_identity
    assert (identity.oid, identity.confirmed, identity.consent_accepted_at) == (
        "1000000001",
        True,
        None,
    )
    assert identity.confirmed_checked_at is not None
    assert (user.first_name, user.last_name, user.email) == ("Анна", "Смирнова", "anna@example.org")
    assert user.username.startswith("reader-") and "1000000001" not in user.username
    assert not user.has_usable_password() and not user.is_staff and not user.is_superuser
    entry = AuditEntry.objects.get(action="reader.create")
    assert entry.actor == user and entry.changes == {"confirmed": [None, True]}


def test_later_sign_ins_follow_esia_and_audit_without_personal_values():
    user = sign_in()
    again = sign_in(confirmed=False, last_name="Иванова", email="")
    assert again == user
    user.refresh_from_db()
    assert (user.last_name, user.email, user.esia_identity.confirmed) == ("Иванова", "", False)
    entry = AuditEntry.objects.get(action="reader.update")
    assert entry.changes == {
        "last_name": ["(personal data)", "(personal data)"],
        "email": ["(personal data)", "(personal data)"],
        "confirmed": [True, False],
    }
    sign_in(confirmed=False, last_name="Иванова", email="")
    assert AuditEntry.objects.filter(action="reader.update").count() == 1  # nothing changed


def test_a_blocked_reader_cannot_sign_in():
    user = sign_in()
    User.objects.filter(pk=user.pk).update(is_active=False)
    with pytest.raises(ReaderError, match="blocked"):
        sign_in()


def test_consent_is_recorded_once():
    user = sign_in()
    assert reader_needs_consent(user)
    first = reader_accept_consent(user=user).consent_accepted_at
    user = User.objects.get(pk=user.pk)
    assert reader_accept_consent(user=user).consent_accepted_at == first
    assert not reader_needs_consent(user)
    assert AuditEntry.objects.filter(action="reader.consent_accept").count() == 1


def test_staff_give_no_reader_consent(make_staff):
    with pytest.raises(ReaderError):
        reader_accept_consent(user=make_staff("someone"))


@pytest.mark.parametrize(
    ("confirmed", "consent", "active", "expected"),
    [
        (True, True, True, True),
        (True, False, True, False),
        (False, True, True, False),
        (False, False, True, False),
        (True, True, False, False),
    ],
)
def test_only_a_confirmed_consenting_active_reader_gets_the_readers_level(
    confirmed, consent, active, expected
):
    user = sign_in(confirmed=confirmed)
    if consent:
        reader_accept_consent(user=user)
    User.objects.filter(pk=user.pk).update(is_active=active)
    user = User.objects.get(pk=user.pk)
    assert is_confirmed_reader(user) is expected
    assert is_reader(user) is active


def test_staff_and_visitors_are_not_readers(network_user):
    for who in (network_user, AnonymousUser()):
        assert not is_reader(who) and not is_confirmed_reader(who)
        assert reader_stored_data(who) == []


def test_deleting_removes_the_person_and_keeps_the_row_anonymous():
    user = sign_in()
    reader_accept_consent(user=user)
    pk, epoch = user.pk, user.session_epoch
    reader_delete(user=user)

    user = User.objects.get(pk=pk)  # the same id, for usage statistics
    assert user.username == f"deleted-{pk}"
    assert (user.first_name, user.last_name, user.email, user.last_login) == ("", "", "", None)
    assert not user.is_active and not user.has_usable_password()
    assert user.session_epoch == epoch + 1  # every session ends
    assert not EsiaIdentity.objects.exists()
    # Nothing in the audit trail points back at the person.
    for entry in AuditEntry.objects.all():
        text = f"{entry.object_repr} {entry.changes}"
        for value in ("1000000001", "Анна", "Смирнова", "anna@example.org"):
            assert value not in text
    # Signing in again starts a new account.
    assert sign_in().pk != pk


def test_only_readers_are_deleted_here(network_user):
    with pytest.raises(ReaderError):
        reader_delete(user=network_user)
    network_user.refresh_from_db()
    assert network_user.is_active


def test_stored_data_shows_every_stored_field():
    user = sign_in()
    reader_accept_consent(user=user)
    user = User.objects.get(pk=user.pk)
    shown = dict(reader_stored_data(user))
    for value in ("1000000001", "Анна", "Смирнова", "anna@example.org", user.username):
        assert value in shown.values()
    # Every field a reader's rows hold is on the page, except the technical ones.
    technical = {
        "id",
        "password",
        "is_staff",
        "is_superuser",
        "is_active",
        "session_epoch",
        "user",
        "groups",
        "user_permissions",
    }
    fields = [f for f in User._meta.concrete_fields if f.name not in technical]
    fields += [f for f in EsiaIdentity._meta.concrete_fields if f.name not in technical]
    assert len(shown) == len(fields), sorted(f.name for f in fields)
