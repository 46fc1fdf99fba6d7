from django.contrib.auth import views as auth_views
from django.urls import path

app_name = "accounts"
# Under the language prefix (/ru/accounts/login/), so the sign-in page speaks the visitor's
# language and its switcher works; /accounts/login/ itself redirects here (libranet.urls).
urlpatterns = [
    path(
        "login/",
        auth_views.LoginView.as_view(
            template_name="accounts/login.html", redirect_authenticated_user=True
        ),
        name="login",
    ),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
]
