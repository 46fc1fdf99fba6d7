"""The invitation's link, /<lang>/accounts/invitation/<token>/: beside the sign-in pages, since
the invitee has no account yet (libranet.urls mounts it)."""

from django.urls import path

from . import staff_views

app_name = "invitations"
urlpatterns = [path("<str:token>/", staff_views.invitation_accept_view, name="accept")]
