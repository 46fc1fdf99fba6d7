from django.conf.urls.i18n import i18n_patterns
from django.urls import include, path

from libranet.api.api import api
from libranet.public import views as public_views

urlpatterns = [
    path("healthz", public_views.healthz, name="healthz"),
    path("livez", public_views.livez, name="livez"),
    path("api/v1/", api.urls),
    path("accounts/", include("libranet.accounts.urls")),
]
urlpatterns += i18n_patterns(
    path("office/", include("libranet.backoffice.urls")),
    path("", include("libranet.public.urls")),
    prefix_default_language=True,
)

handler404 = "libranet.public.views.not_found"
handler500 = "libranet.public.views.server_error"
