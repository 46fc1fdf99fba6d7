from django.conf.urls.i18n import i18n_patterns
from django.urls import include, path
from django.views.generic import RedirectView

from libranet.api.api import api
from libranet.public import views as public_views

urlpatterns = [
    path("healthz", public_views.healthz, name="healthz"),
    path("livez", public_views.livez, name="livez"),
    path("api/v1/", api.urls),
    # The staff sign-in's well-known address: to the page in the visitor's language.
    path(
        "accounts/login/",
        RedirectView.as_view(pattern_name="accounts:login", query_string=True),
        name="login_redirect",
    ),
]
urlpatterns += i18n_patterns(
    path("accounts/", include("libranet.accounts.urls")),
    path("office/", include("libranet.backoffice.urls")),
    path("", include("libranet.public.urls")),
    prefix_default_language=True,
)

handler404 = "libranet.public.views.not_found"
handler500 = "libranet.public.views.server_error"
