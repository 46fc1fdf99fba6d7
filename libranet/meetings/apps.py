from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MeetingsConfig(AppConfig):
    name = "libranet.meetings"
    verbose_name = _("Annual meetings and resolutions")
    default_auto_field = "django.db.models.BigAutoField"
