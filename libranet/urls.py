from django.conf.urls.i18n import i18n_patterns
from django.urls import include, path
from django.views.generic import RedirectView

from libranet.accounts.esia import views as esia_views
from libranet.api.api import api
from libranet.oai import views as oai_views
from libranet.public import files as public_files
from libranet.public import views as public_views
from libranet.videos import views as video_views

urlpatterns = [
    path("healthz", public_views.healthz, name="healthz"),
    path("livez", public_views.livez, name="livez"),
    path("api/v1/", api.urls),
    # Resources' files: no language, no public media URL; every request asks the access rule.
    path("files/<int:file_id>/<str:filename>", public_files.resource_file, name="resource_file"),
    path(
        "files/thumbnails/<int:resource_id>/<str:filename>",
        public_files.resource_thumbnail,
        name="resource_thumbnail",
    ),
    # IIIF manifests and image services: fixed addresses for viewers, no language prefix.
    path("iiif/", include("libranet.public.iiif_urls")),
    path("videos/<int:pk>/file", video_views.video_file, name="video_file"),  # uploaded videos
    path("", include("libranet.public.sitemaps")),  # /sitemap.xml and its sections
    path("oai", oai_views.endpoint, name="oai"),  # OAI-PMH: one fixed address, no language
    # The COUNTER API (SUSHI) 5.1: fixed addresses for harvesters, no language prefix.
    path("sushi/", include("libranet.sushi.urls")),
    # The staff sign-in's well-known address: to the page in the visitor's language.
    path(
        "accounts/login/",
        RedirectView.as_view(pattern_name="accounts:login", query_string=True),
        name="login_redirect",
    ),
    # Readers' sign-in with ESIA (Gosuslugi): fixed addresses, as registered on ESIA's portal.
    path("accounts/esia/login/", esia_views.esia_login, name="esia_login"),
    path("accounts/esia/callback/", esia_views.esia_callback, name="esia_callback"),
]
urlpatterns += i18n_patterns(
    path("accounts/invitation/", include("libranet.backoffice.invitation_urls")),
    path("accounts/", include("libranet.accounts.urls")),
    path("office/campaigns/", include("libranet.campaigns.urls")),  # monitoring campaigns
    path("office/planning/", include("libranet.planning.urls")),  # the annual opening plan
    path("office/agreements/", include("libranet.agreements.urls")),
    path("office/videos/", include("libranet.videos.urls")),  # video for the Library's channel
    path("office/events/", include("libranet.events.urls")),  # events, joint-event reports
    path("office/catalogs/", include("libranet.catalogs.urls")),  # partner catalogs' sources
    path("events/", include("libranet.events.public_urls")),  # the public calendar of events
    path("office/", include("libranet.backoffice.urls")),
    path("stats/", include("libranet.stats.urls")),
    path("meetings/", include("libranet.meetings.public_urls")),  # the annual meetings' programme
    path("video/", include("libranet.videos.public_urls")),  # published video
    path("news/", include("libranet.news.public_urls")),  # the network's news and its feeds
    path("", include("libranet.public.urls")),
    prefix_default_language=True,
)

# Each door answers its errors in its own format (README "Errors, door by door").
handler400 = "libranet.doors.bad_request"
handler403 = "libranet.doors.permission_denied"
handler404 = "libranet.doors.not_found"
handler500 = "libranet.doors.server_error"
