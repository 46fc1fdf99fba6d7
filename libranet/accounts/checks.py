"""System checks of the accounts' configuration (``manage.py check``, and every command that
starts the site's processes, such as ``migrate`` before ``make run``)."""

from typing import Any

from django.conf import settings
from django.core.checks import Error, register

from .esia.signing import CERT_HASHES, cert_hash_problem


@register()
def esia_cert_hash_check(app_configs: Any = None, **kwargs: Any) -> list[Error]:
    """The certificate hash must be one that works here: a value that does not exist always,
    one this machine cannot compute (GOST without the engine) when ESIA sign-in is configured
    (an installation without ESIA need not install the engine)."""
    algorithm = settings.LIBRANET_ESIA_CERT_HASH
    configured = settings.LIBRANET_ESIA_BASE_URL and settings.LIBRANET_ESIA_CLIENT_ID
    if algorithm in CERT_HASHES and not configured:
        return []
    problem = cert_hash_problem(algorithm, signer=settings.LIBRANET_ESIA_SIGNER)
    return [Error(problem, id="libranet.E001")] if problem else []
