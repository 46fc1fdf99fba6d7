from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CampaignsConfig(AppConfig):
    name = "libranet.campaigns"
    verbose_name = _("Monitoring campaigns")
    default_auto_field = "django.db.models.BigAutoField"
