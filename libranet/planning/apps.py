from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PlanningConfig(AppConfig):
    name = "libranet.planning"
    verbose_name = _("Opening plan")
    default_auto_field = "django.db.models.BigAutoField"
