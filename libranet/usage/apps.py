from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class UsageConfig(AppConfig):
    name = "libranet.usage"
    verbose_name = _("Usage statistics")
    default_auto_field = "django.db.models.BigAutoField"
