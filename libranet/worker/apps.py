from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WorkerConfig(AppConfig):
    name = "libranet.worker"
    label = "worker"
    verbose_name = _("Task worker")
    default_auto_field = "django.db.models.BigAutoField"
