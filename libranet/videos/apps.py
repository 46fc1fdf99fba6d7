from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class VideosConfig(AppConfig):
    name = "libranet.videos"
    verbose_name = _("Video for the Library's channel")
    default_auto_field = "django.db.models.BigAutoField"
