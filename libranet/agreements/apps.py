from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AgreementsConfig(AppConfig):
    name = "libranet.agreements"
    verbose_name = _("Cooperation agreements")
    default_auto_field = "django.db.models.BigAutoField"
