"""Staff accounts in the back office: the staff in one's scope, invitations (send, send again,
withdraw), granting a role to an existing account, deactivating an account, resetting a lost
second factor; and the invitee's page that accepts an invitation.

Thin: ``network.invitations`` and ``network.staff`` hold the rules, ``network.permissions``
decides who may do what; a refusal comes back as a form error or a 403.
"""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from libranet.accounts.models import User
from libranet.network.invitations import (
    AccountExists,
    InvitationError,
    invitation_accept,
    invitation_by_token,
    invitation_create,
    invitation_problem,
    invitation_resend,
    invitation_revoke,
)
from libranet.network.permissions import Capability, can, can_manage_account
from libranet.network.services import RegistryError, ScopeError
from libranet.network.staff import (
    invitation_list,
    staff_deactivate,
    staff_list,
    staff_name_update,
    staff_role_grant,
    staff_second_factor_reset,
)

from .access import requires
from .forms import add_registry_errors
from .staff_forms import InvitationAcceptForm, StaffNameForm, StaffRoleForm
from .views import _render, office_crumbs

C = Capability
GET_POST = require_http_methods(["GET", "HEAD", "POST"])


@require_safe
@requires(C.MANAGE_STAFF)
def staff(request):
    return _render(
        request,
        "staff/list.html",
        {
            "staff": [
                (account, roles, can_manage_account(request.user, account))
                for account, roles in staff_list(user=request.user)
            ],
            "invitations": invitation_list(user=request.user),
            "may_reset_second_factor": can(request.user, C.RESET_SECOND_FACTOR),
        },
    )


def _role_args(data):
    return {"role": data["role"], "center": data.get("center"), "region": data.get("region")}


def _invite_page(request, form, existing=None):
    return _render(
        request,
        "staff/invite.html",
        {
            "form": form,
            "existing": existing,
            "invitation_days": settings.LIBRANET_INVITATION_DAYS,
            "crumbs": office_crumbs(
                (_("Staff"), reverse("backoffice:staff")), (_("Invite a staff member"), None)
            ),
        },
    )


@GET_POST
@requires(C.MANAGE_STAFF)
def staff_invite(request):
    form = StaffRoleForm(request.POST if request.method == "POST" else None, user=request.user)
    existing = None
    if form.is_bound and form.is_valid():
        data = form.cleaned_data
        try:
            invitation, _token = invitation_create(
                actor=request.user,
                email=data["email"],
                first_name=data["first_name"],
                last_name=data["last_name"],
                language=data["language"],
                **_role_args(data),
            )
        except AccountExists as exc:
            existing = exc.user if exc.user.is_active else None
            add_registry_errors(form, exc)
        except RegistryError as exc:
            add_registry_errors(form, exc)
        else:
            messages.success(
                request,
                _("The invitation is sent to {email}.").format(email=invitation.email),
            )
            return redirect("backoffice:staff")
    return _invite_page(request, form, existing)


@require_POST
@requires(C.MANAGE_STAFF)
def staff_grant(request):
    """Grant the role of a refused invitation to the account that already has the address."""
    form = StaffRoleForm(request.POST, user=request.user)
    if not form.is_valid():
        return _invite_page(request, form)
    data = form.cleaned_data
    account = get_object_or_404(User, email__iexact=data["email"], is_active=True)
    try:
        staff_role_grant(actor=request.user, user=account, **_role_args(data))
    except RegistryError as exc:
        add_registry_errors(form, exc)
        return _invite_page(request, form)
    messages.success(
        request, _("{username} now has this role.").format(username=account.get_username())
    )
    return redirect("backoffice:staff")


def _managed_invitation(request, pk):
    # Outside one's scope an invitation is a 404: no hint that it exists.
    return get_object_or_404(invitation_list(user=request.user), pk=pk)


@require_POST
@requires(C.MANAGE_STAFF)
def staff_invitation_revoke(request, pk: int):
    invitation = _managed_invitation(request, pk)
    try:
        invitation_revoke(actor=request.user, invitation=invitation)
    except RegistryError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(
            request, _("The invitation to {email} is withdrawn.").format(email=invitation.email)
        )
    return redirect("backoffice:staff")


@require_POST
@requires(C.MANAGE_STAFF)
def staff_invitation_resend(request, pk: int):
    invitation = _managed_invitation(request, pk)
    try:
        invitation_resend(actor=request.user, invitation=invitation)
    except RegistryError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(
            request,
            _("The invitation is sent again to {email}, with a new link.").format(
                email=invitation.email
            ),
        )
    return redirect("backoffice:staff")


@GET_POST
@requires(C.MANAGE_STAFF)
def staff_name(request, pk: int):
    """Correct a staff member's name (a typo, a new surname)."""
    account = get_object_or_404(User, pk=pk)
    if not can_manage_account(request.user, account):
        raise PermissionDenied
    initial = {"first_name": account.first_name, "last_name": account.last_name}
    form = StaffNameForm(request.POST if request.method == "POST" else None, initial=initial)
    if form.is_bound and form.is_valid():
        try:
            staff_name_update(actor=request.user, user=account, **form.cleaned_data)
        except RegistryError as exc:
            add_registry_errors(form, exc)
        else:
            messages.success(
                request,
                _("The name of {username} is saved.").format(username=account.get_username()),
            )
            return redirect("backoffice:staff")
    crumbs = office_crumbs(
        (_("Staff"), reverse("backoffice:staff")),
        (account.get_full_name() or account.username, None),
    )
    return _render(request, "staff/name.html", {"form": form, "account": account, "crumbs": crumbs})


@GET_POST
@requires(C.MANAGE_STAFF)
def staff_deactivate_view(request, pk: int):
    account = get_object_or_404(User, pk=pk, is_active=True)
    if not can_manage_account(request.user, account):
        raise PermissionDenied
    if request.method == "POST":
        try:
            staff_deactivate(actor=request.user, user=account)
        except ScopeError as exc:
            raise PermissionDenied from exc
        messages.success(
            request,
            _("The account {username} is deactivated.").format(username=account.get_username()),
        )
        return redirect("backoffice:staff")
    return _render(
        request,
        "staff/confirm.html",
        {
            "account": account,
            "question": _(
                "Deactivate the account {username}? It can no longer sign in, its sessions end "
                "and its API tokens stop working."
            ).format(username=account.get_username()),
            "button": _("Deactivate"),
        },
    )


@GET_POST
@requires(C.RESET_SECOND_FACTOR)
def staff_second_factor_reset_view(request, pk: int):
    account = get_object_or_404(User, pk=pk)
    if request.method == "POST":
        removed = staff_second_factor_reset(actor=request.user, user=account)
        if removed:
            message = _(
                "The second factor of {username} is reset: they set up a new one at their next "
                "sign-in."
            )
        else:
            message = _("{username} had no second factor set up.")
        messages.success(request, message.format(username=account.get_username()))
        return redirect("backoffice:staff")
    return _render(
        request,
        "staff/confirm.html",
        {
            "account": account,
            "question": _(
                "Reset the second factor of {username}? Do it only when you are sure who asks "
                "(a lost phone): whoever signs in next with the password sets up a new one."
            ).format(username=account.get_username()),
            "button": _("Reset the second factor"),
        },
    )


# --- the invitee's side ----------------------------------------------------------------------


@sensitive_post_parameters("password", "password2")
@never_cache
@GET_POST
def invitation_accept_view(request, token: str):
    """The link of an invitation: who invited, for what; choose a username and a password."""
    invitation = invitation_by_token(token)
    problem = invitation_problem(invitation)
    if problem:
        status = 404 if invitation is None else 410
        return render(request, "backoffice/staff/accept.html", {"problem": problem}, status=status)
    form = InvitationAcceptForm(
        request.POST if request.method == "POST" else None,
        initial={"first_name": invitation.first_name, "last_name": invitation.last_name},
    )
    if form.is_bound and form.is_valid():
        data = form.cleaned_data
        try:
            user = invitation_accept(
                token=token,
                username=data["username"],
                password=data["password"],
                first_name=data["first_name"],
                last_name=data["last_name"],
            )
        except InvitationError as exc:
            add_registry_errors(form, exc)
        else:
            login(request, user, backend="django.contrib.auth.backends.ModelBackend")
            messages.success(
                request,
                _("Welcome, {username}: your account is ready.").format(username=user.username),
            )
            return redirect("backoffice:account")
    return render(request, "backoffice/staff/accept.html", {"invitation": invitation, "form": form})
