"""Forms of staff sign-in and password reset; the changes they make go through the services."""

import time
from typing import Any

from django import forms
from django.conf import settings
from django.contrib.auth.forms import (
    AuthenticationForm,
    PasswordChangeForm,
    PasswordResetForm,
    SetPasswordForm,
)
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from libranet.mail.services import mail_send

from .lockout import door_refusal
from .services import sign_in_failure_record, user_password_set

# At most one reset message per account in this many seconds, however often it is asked for:
# the form can be sent by anyone, and must not become a way to flood someone's mailbox.
RESET_MAIL_INTERVAL = 300


class SignInForm(AuthenticationForm):
    """Username and password, with the hints password managers look for."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["username"].widget.attrs.update(autocomplete="username")
        self.fields["password"].widget.attrs.update(autocomplete="current-password")


class CodeForm(forms.Form):
    """The six-digit code of the authenticator app."""

    otp_token = forms.CharField(
        label=_("Code"),
        max_length=12,
        widget=forms.TextInput(
            attrs={
                "autocomplete": "one-time-code",
                "inputmode": "numeric",
                "autofocus": True,
                "size": 8,
            }
        ),
        help_text=_("The six digits your authenticator app shows now."),
    )


class ResetRequestForm(PasswordResetForm):
    """Django's reset request (active accounts with a usable password, matched by e-mail), with
    the message sent through ``mail_send`` in the account's language and the link to this site."""

    def send_mail(
        self,
        subject_template_name: str,
        email_template_name: str,
        context: dict[str, Any],
        from_email: str | None,
        to_email: str,
        html_email_template_name: str | None = None,
    ) -> None:
        user = context["user"]
        language = user.preferred_language
        with translation.override(language):
            path = reverse(
                "accounts:password_reset_confirm",
                kwargs={"uidb64": context["uid"], "token": context["token"]},
            )
        mail_send(
            to=to_email,
            template="password_reset",
            context={
                "user": user,
                "link": settings.LIBRANET_SITE_URL + path,
                "hours": settings.PASSWORD_RESET_TIMEOUT // 3600,
            },
            language=language,
            key=f"user:{user.pk}:{int(time.time()) // RESET_MAIL_INTERVAL}",
            secret=True,
        )


class ResetSetPasswordForm(SetPasswordForm):
    """The new password after a reset link: saved by the service, which audits it."""

    def save(self, commit: bool = True) -> Any:
        return user_password_set(
            actor=self.user, user=self.user, password=self.cleaned_data["new_password1"], reset=True
        )


class ChangePasswordForm(PasswordChangeForm):
    """The signed-in user's new password (the old one first): saved by the service.

    The old password is a door to the account like the sign-in form: while the account or the
    address is slowed down or locked it is refused unchecked (``refused`` says so), and a wrong
    one counts as a failed sign-in."""

    def __init__(self, user: Any, *args: Any, request: Any, **kwargs: Any) -> None:
        super().__init__(user, *args, **kwargs)
        self.request = request
        self.refused = False

    def clean_old_password(self) -> str:
        refusal = door_refusal(self.request, self.user.get_username())
        if refusal:
            self.refused = True
            raise forms.ValidationError(refusal, code="throttled")
        try:
            return super().clean_old_password()
        except forms.ValidationError:
            sign_in_failure_record(
                request=self.request, user=self.user, action="user.password_change_failed"
            )
            raise

    def save(self, commit: bool = True) -> Any:
        return user_password_set(
            actor=self.user, user=self.user, password=self.cleaned_data["new_password1"]
        )
