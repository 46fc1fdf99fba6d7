from django.contrib.auth import views as auth_views
from django.urls import path

from .readers import views as readers
from .signin import views as signin

app_name = "accounts"
# Under the language prefix (/ru/accounts/login/), so the sign-in page speaks the visitor's
# language and its switcher works; /accounts/login/ itself redirects here (libranet.urls).
urlpatterns = [
    path("login/", signin.SignInView.as_view(), name="login"),
    path("login/code/", signin.login_code, name="login_code"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("password-reset/", signin.PasswordResetView.as_view(), name="password_reset"),
    path(
        "password-reset/sent/",
        signin.PasswordResetDoneView.as_view(),
        name="password_reset_done",
    ),
    path(
        "password-reset/<uidb64>/<token>/",
        signin.PasswordResetConfirmView.as_view(),
        name="password_reset_confirm",
    ),
    path(
        "password-reset/done/",
        signin.PasswordResetCompleteView.as_view(),
        name="password_reset_complete",
    ),
    # A reader's own pages (ESIA sign-in itself is outside the prefix: libranet.urls).
    path("me/", readers.reader_me, name="reader_me"),
    path("me/consent/", readers.reader_consent, name="reader_consent"),
    path("me/delete/", readers.reader_delete_account, name="reader_delete"),
]
