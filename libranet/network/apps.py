from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class NetworkConfig(AppConfig):
    name = "libranet.network"
    label = "network"
    verbose_name = _("Network")

    def ready(self) -> None:
        from . import checks  # noqa: F401 (registers the system checks)
        from .reference_data import refill_emptied_reference_data

        post_migrate.connect(refill_emptied_reference_data, sender=self)
