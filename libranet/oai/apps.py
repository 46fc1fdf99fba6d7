from django.apps import AppConfig


class OaiConfig(AppConfig):
    """The OAI-PMH 2.0 data provider at /oai: a face over the resources, with no models."""

    name = "libranet.oai"
    label = "oai"
    verbose_name = "OAI-PMH"  # the protocol's name, the same in both languages
