"""Invitations and staff accounts: who may grant what (each rule once), the invitation's life
(create, send again, withdraw, accept once, expire), and accounts in one's scope."""

import datetime
import hashlib

import pytest
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from libranet.accounts.models import User
from libranet.audit.models import AuditEntry
from libranet.mail.models import OutgoingMail
from libranet.network.invitations import (
    AccountExists,
    InvitationError,
    invitation_accept,
    invitation_by_token,
    invitation_create,
    invitation_resend,
    invitation_revoke,
)
from libranet.network.models import Center, Invitation, Region, StaffRole
from libranet.network.permissions import can_grant, can_manage_account, grantable_roles
from libranet.network.services import ScopeError
from libranet.network.staff import (
    invitation_list,
    staff_deactivate,
    staff_list,
    staff_role_grant,
    staff_second_factor_reset,
)

pytestmark = pytest.mark.django_db
Role = StaffRole.Role
NEW_PASSWORD = "violet-lantern-harbour-93"


@pytest.fixture
def scopes(tver_rc, penza_rc, make_center):
    return {
        "tver": make_center(code="RU-TVE-0001"),
        "penza": make_center(code="RU-PNZ-0001", region=Region.objects.get(code="RU-PNZ")),
        "foreign": make_center(code="MN-01", kind=Center.Kind.FOREIGN),
        "tver_region": Region.objects.get(code="RU-TVE"),
        "penza_region": Region.objects.get(code="RU-PNZ"),
    }


# (role, scope key) → who may grant it
GRANTS = [
    ((Role.ADMINISTRATOR, None), {"admin_user"}),
    ((Role.NETWORK_DEPARTMENT, None), {"admin_user", "network_user"}),
    ((Role.INTERNATIONAL, None), {"admin_user", "network_user"}),
    ((Role.REGIONAL_HEAD, "tver_region"), {"admin_user", "network_user"}),
    ((Role.CENTER_OPERATOR, "tver"), {"admin_user", "network_user", "head_tver"}),
    ((Role.CENTER_OPERATOR, "penza"), {"admin_user", "network_user"}),
    ((Role.CENTER_OPERATOR, "foreign"), {"admin_user", "network_user", "international_user"}),
]
GRANTERS = ["admin_user", "network_user", "international_user", "head_tver", "operator_user"]


def scope_args(scopes, role, key):
    if key is None:
        return {}
    return {"region": scopes[key]} if role == Role.REGIONAL_HEAD else {"center": scopes[key]}


@pytest.mark.parametrize("granter", GRANTERS)
def test_who_may_grant_what(request, scopes, granter):
    user = request.getfixturevalue(granter)
    for (role, key), allowed in GRANTS:
        assert can_grant(user, role, **scope_args(scopes, role, key)) == (granter in allowed), (
            granter,
            role,
            key,
        )


def test_roles_offered_by_role(
    admin_user, network_user, head_tver, international_user, operator_user
):
    assert grantable_roles(admin_user) == set(Role)
    assert grantable_roles(network_user) == set(Role) - {Role.ADMINISTRATOR}
    assert (
        grantable_roles(head_tver) == grantable_roles(international_user) == {Role.CENTER_OPERATOR}
    )
    assert grantable_roles(operator_user) == set()


@pytest.fixture
def invite(django_capture_on_commit_callbacks, mailoutbox):
    """Invite through the service, running the mail's after-commit sending."""

    def make(actor, email="new.operator@example.org", role=Role.CENTER_OPERATOR, **scope):
        with django_capture_on_commit_callbacks(execute=True):
            return invitation_create(actor=actor, email=email, role=role, **scope)

    return make


def test_head_invites_operator_of_own_region(head_tver, scopes, invite, mailoutbox):
    invitation, token = invite(head_tver, email="New.Operator@Example.ORG", center=scopes["tver"])
    invitation.refresh_from_db()
    assert invitation.email == "New.Operator@example.org"  # the domain is not case-sensitive
    assert invitation.invited_by == head_tver and invitation.state == Invitation.State.PENDING
    # Only the token's hash is kept.
    assert invitation.token_hash == hashlib.sha256(token.encode()).hexdigest()
    assert not Invitation.objects.filter(token_hash=token).exists()
    assert invitation.expires_at - invitation.sent_at == datetime.timedelta(days=7)
    [mail] = mailoutbox
    assert mail.to == ["New.Operator@example.org"]
    assert f"/ru/accounts/invitation/{token}/" in mail.body
    # Nor does the outbox keep the link once it is sent.
    [stored] = OutgoingMail.objects.all()
    assert stored.state == "sent" and token not in stored.text + stored.html
    assert AuditEntry.objects.filter(action="invitation.create", actor=head_tver).count() == 1


@pytest.mark.parametrize(
    ("granter", "role", "key"),
    [
        ("head_tver", Role.CENTER_OPERATOR, "penza"),  # another region
        ("head_tver", Role.REGIONAL_HEAD, "tver_region"),  # a peer
        ("international_user", Role.CENTER_OPERATOR, "tver"),  # not abroad
        ("operator_user", Role.CENTER_OPERATOR, "tver"),  # operators grant nothing
        ("network_user", Role.ADMINISTRATOR, None),
    ],
)
def test_inviting_beyond_ones_scope_is_refused(
    request, scopes, invite, mailoutbox, granter, role, key
):
    with pytest.raises(ScopeError, match="does not allow granting"):
        invite(request.getfixturevalue(granter), role=role, **scope_args(scopes, role, key))
    assert not Invitation.objects.exists() and mailoutbox == []


def test_scope_must_match_the_role(network_user, scopes, invite):
    with pytest.raises(InvitationError, match="scoped to one center"):
        invite(network_user, role=Role.CENTER_OPERATOR)
    with pytest.raises(InvitationError, match="scoped to one center"):
        invite(network_user, role=Role.INTERNATIONAL, region=scopes["tver_region"])


def test_address_with_an_account_is_offered_instead(head_tver, operator_user, scopes, invite):
    operator_user.email = "operator@example.org"
    operator_user.save()
    with pytest.raises(AccountExists) as caught:
        invite(head_tver, email="OPERATOR@example.org", center=scopes["tver"])
    assert caught.value.user == operator_user
    assert "already exists (operator)" in caught.value.messages[0]
    assert not Invitation.objects.exists()


def test_same_invitation_twice_is_refused(head_tver, scopes, invite):
    invite(head_tver, center=scopes["tver"])
    with pytest.raises(InvitationError, match="already invited"):
        invite(head_tver, center=scopes["tver"])


def accept(token, username="new.operator", password=NEW_PASSWORD):
    return invitation_accept(
        token=token, username=username, password=password, first_name="Анна", last_name="Петрова"
    )


def test_accepting_creates_the_account_with_its_role_once(head_tver, scopes, invite):
    invitation, token = invite(head_tver, center=scopes["tver"])
    user = accept(token)
    assert user.check_password(NEW_PASSWORD) and user.email == "new.operator@example.org"
    assert user.get_full_name() == "Анна Петрова" and user.preferred_language == "ru"
    [role] = StaffRole.objects.filter(user=user)
    assert (role.role, role.center) == (Role.CENTER_OPERATOR, scopes["tver"])
    invitation.refresh_from_db()
    assert invitation.state == Invitation.State.ACCEPTED and invitation.accepted_by == user
    actions = set(AuditEntry.objects.values_list("action", "actor__username"))
    assert {
        ("invitation.accept", "new.operator"),
        ("staff_role.assign", "head.tver"),
        ("user.create", "head.tver"),
    } <= actions

    with pytest.raises(InvitationError, match="already been used"):
        accept(token, username="someone.else")
    assert User.objects.filter(email="new.operator@example.org").count() == 1


def test_expired_invitation_is_refused(head_tver, scopes, invite, time_machine):
    time_machine.move_to(timezone.now())
    _invitation, token = invite(head_tver, center=scopes["tver"])
    time_machine.shift(datetime.timedelta(days=7, seconds=1))
    with pytest.raises(InvitationError, match="expired on"):
        accept(token)
    assert not User.objects.filter(username="new.operator").exists()


def test_unknown_or_withdrawn_link_is_refused(head_tver, scopes, invite):
    invitation, token = invite(head_tver, center=scopes["tver"])
    with pytest.raises(InvitationError, match="not valid"):
        accept(token[:-2])
    invitation_revoke(actor=head_tver, invitation=invitation)
    with pytest.raises(InvitationError, match="withdrawn"):
        accept(token)
    with pytest.raises(InvitationError, match="already withdrawn|already revoked"):
        invitation_revoke(actor=head_tver, invitation=invitation)


@pytest.mark.parametrize(
    ("username", "password", "field", "fragment"),
    [
        ("new.operator", "short", "password", "too short"),
        ("new.operator", "12345678901234", "password", "entirely numeric"),
        ("new.operator", "new.operator.x", "password", "too similar"),
        ("head.tver", NEW_PASSWORD, "username", "already exists"),
        ("bad name!", NEW_PASSWORD, "username", "valid username"),
    ],
)
def test_bad_username_or_weak_password_creates_nothing(
    head_tver, scopes, invite, username, password, field, fragment
):
    invitation, token = invite(head_tver, center=scopes["tver"])
    with pytest.raises(InvitationError) as caught:
        accept(token, username=username, password=password)
    assert fragment in " ".join(caught.value.message_dict[field])
    invitation.refresh_from_db()
    assert invitation.state == Invitation.State.PENDING
    assert not User.objects.filter(email="new.operator@example.org").exists()


def test_inviter_who_lost_the_right_cannot_hand_it_out(head_tver, network_user, scopes, invite):
    _invitation, token = invite(head_tver, center=scopes["tver"])
    staff_deactivate(actor=network_user, user=head_tver)
    with pytest.raises(InvitationError, match="can no longer grant"):
        accept(token)


def test_sending_again_makes_a_new_link(
    head_tver, scopes, invite, mailoutbox, time_machine, django_capture_on_commit_callbacks
):
    time_machine.move_to(timezone.now())
    invitation, old_token = invite(head_tver, center=scopes["tver"])
    time_machine.shift(datetime.timedelta(days=8))  # expired: sending again renews it
    with django_capture_on_commit_callbacks(execute=True):
        invitation, new_token = invitation_resend(actor=head_tver, invitation=invitation)
    assert new_token != old_token and invitation.times_sent == 2
    assert invitation.state == Invitation.State.PENDING
    assert len(mailoutbox) == 2 and new_token in mailoutbox[1].body
    assert invitation_by_token(old_token) is None
    assert accept(new_token).username == "new.operator"


def test_others_invitations_cannot_be_withdrawn(head_tver, make_staff, scopes, invite):
    invitation, _token = invite(head_tver, center=scopes["tver"])
    head_penza = make_staff("head.penza", Role.REGIONAL_HEAD, region=scopes["penza_region"])
    with pytest.raises(ScopeError):
        invitation_revoke(actor=head_penza, invitation=invitation)
    assert list(invitation_list(user=head_penza)) == []
    assert list(invitation_list(user=head_tver)) == [invitation]


# --- accounts in one's scope -----------------------------------------------------------------


def test_staff_list_shows_what_one_could_grant(
    admin_user, network_user, head_tver, operator_user, scopes, make_staff
):
    make_staff("operator.penza", Role.CENTER_OPERATOR, center=scopes["penza"])
    names = lambda user: [account.username for account, _roles in staff_list(user=user)]  # noqa: E731
    assert names(head_tver) == ["operator"]
    assert names(network_user) == ["head.tver", "network", "operator", "operator.penza"]
    assert "admin" in names(admin_user)


def test_deactivating_within_scope(head_tver, network_user, admin_user, operator_user):
    assert can_manage_account(head_tver, operator_user)
    assert not can_manage_account(head_tver, network_user)  # beyond a head's reach
    assert not can_manage_account(network_user, admin_user)  # an administrator's account
    assert not can_manage_account(network_user, network_user)  # not oneself
    epoch = operator_user.session_epoch
    staff_deactivate(actor=head_tver, user=operator_user)
    operator_user.refresh_from_db()
    assert not operator_user.is_active and operator_user.session_epoch == epoch + 1
    assert AuditEntry.objects.filter(action="user.deactivate", actor=head_tver).exists()
    with pytest.raises(ScopeError):
        staff_deactivate(actor=network_user, user=admin_user)


def test_granting_to_an_existing_account(head_tver, reader_user, scopes):
    staff_role_grant(
        actor=head_tver, user=reader_user, role=Role.CENTER_OPERATOR, center=scopes["tver"]
    )
    assert StaffRole.objects.filter(user=reader_user, center=scopes["tver"]).exists()
    with pytest.raises(ScopeError):
        staff_role_grant(
            actor=head_tver, user=reader_user, role=Role.CENTER_OPERATOR, center=scopes["penza"]
        )
    reader_user.is_active = False
    reader_user.save()
    with pytest.raises(ScopeError, match="deactivated"):
        staff_role_grant(
            actor=head_tver, user=reader_user, role=Role.CENTER_OPERATOR, center=scopes["tver"]
        )


def test_only_an_administrator_resets_a_second_factor(admin_user, network_user):
    with pytest.raises(ScopeError):
        staff_second_factor_reset(actor=network_user, user=admin_user)
    assert staff_second_factor_reset(actor=admin_user, user=network_user) == 1
    assert not TOTPDevice.objects.filter(user=network_user).exists()
    assert AuditEntry.objects.filter(action="user.totp_reset", actor=admin_user).exists()
