"""The local provider's URLs, in ESIA's layout. Served by its own server only
(``manage.py esia_dev_provider``), never mounted in the site's URLconf."""

from django.urls import path

from . import views

urlpatterns = [
    path("", views.index),
    path("aas/oauth2/v2/ac", views.authorize),
    path("aas/oauth2/ac", views.authorize),
    path("aas/oauth2/choose", views.choose),
    path("aas/oauth2/v3/te", views.token),
    path("aas/oauth2/te", views.token),
    path("rs/prns/<str:oid>", views.person),
    path("rs/prns/<str:oid>/ctts", views.contacts),
    path("rs/prns/<str:oid>/ctts/<int:contact_id>", views.contact),
]

handler404 = "libranet.esia_dev.views.not_found"
handler500 = "libranet.esia_dev.views.server_error"
