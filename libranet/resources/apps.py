from django.apps import AppConfig
from django.core import checks
from django.utils.translation import gettext_lazy as _


class ResourcesConfig(AppConfig):
    name = "libranet.resources"
    label = "resources"
    verbose_name = _("Collections")

    def ready(self) -> None:
        from libranet.storage import check_storage

        # The collections' files are the stored files: their store is checked at start-up.
        checks.register(check_storage)
