from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EsiaDevConfig(AppConfig):
    name = "libranet.esia_dev"
    label = "esia_dev"
    verbose_name = _("Local ESIA-compatible provider (development)")
