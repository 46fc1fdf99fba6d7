from django.apps import AppConfig


class SushiConfig(AppConfig):
    """The COUNTER API (SUSHI) 5.1 at /sushi/r51/...: a face over the usage reports, with no
    models."""

    name = "libranet.sushi"
    label = "sushi"
    verbose_name = "COUNTER SUSHI"  # the protocol's name, the same in both languages
