from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ScheduleConfig(AppConfig):
    name = "libranet.schedule"
    label = "schedule"
    verbose_name = _("Schedule")
    default_auto_field = "django.db.models.BigAutoField"
