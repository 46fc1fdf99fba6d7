from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CatalogsConfig(AppConfig):
    name = "libranet.catalogs"
    label = "catalogs"
    verbose_name = _("Partner catalogs")

    def ready(self) -> None:
        from . import signals  # noqa: F401 (connects the receivers)
