from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class StatsConfig(AppConfig):
    """The staff's usage statistics pages (``/<lang>/stats/``): a face over
    ``libranet.usage.reports``."""

    name = "libranet.stats"
    verbose_name = _("Usage statistics pages")
