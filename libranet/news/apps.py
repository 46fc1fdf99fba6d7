from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NewsConfig(AppConfig):
    name = "libranet.news"
    verbose_name = _("News of the network")
