"""Demo data: the synthetic partner catalogs (``libranet.catalogs.provider``) registered as
sources of their holding libraries in the demo network, and harvested once, so that the union
search has partner holdings on a fresh clone with no internet.

The sources are registered at the address ``make run`` serves the provider at
(``LIBRANET_CATALOG_PROVIDER_URL``), so that the scheduled harvests reach it after seeding.
Registering checks the source and the first harvest reads it, so while seeding the provider
is served at that same address from a thread of this process (``make run`` seeds before it
starts its own provider); if something serves that address already (a provider started by
hand), that one answers instead: it serves the same catalogs."""

import contextlib
from urllib.parse import urlsplit

from django.conf import settings

from libranet.catalogs.harvesting import harvest_source
from libranet.catalogs.models import CatalogSource, HarvestSchedule
from libranet.catalogs.provider.catalogs import LIBRARIES, Library
from libranet.catalogs.provider.server import provider_in_thread
from libranet.catalogs.services import source_register
from libranet.network.models import Center, Institution

SCHEDULES = {"tver": HarvestSchedule.DAILY, "penza": HarvestSchedule.DAILY}  # others: weekly


def holding_library(library: Library) -> Institution | None:
    """The demo network's institution holding ``library``'s catalog (None if not seeded)."""
    if library.holder.startswith("university:"):
        universities = Institution.objects.filter(kind=Institution.Kind.UNIVERSITY).order_by("pk")
        region = library.holder.split(":", 1)[1]
        return (
            universities.filter(centers__region__code=region).first()
            or universities.filter(centers__isnull=False).first()
        )
    center = Center.objects.filter(code=library.holder).select_related("institution").first()
    return center.institution if center else None


def seed_catalogs() -> str:
    """Register and harvest every synthetic catalog; says what was done."""
    url = settings.LIBRANET_CATALOG_PROVIDER_URL
    address = urlsplit(url)
    lines = []
    with contextlib.ExitStack() as stack:
        try:
            stack.enter_context(
                provider_in_thread(
                    address.hostname or "127.0.0.1",
                    address.port or 80,
                    page_size=settings.LIBRANET_CATALOG_PROVIDER_PAGE_SIZE,
                )
            )
        except OSError:
            pass  # the address is served already: that provider answers
        for library in LIBRARIES:
            institution = holding_library(library)
            base_url = f"{url}/{library.slug}/oai"
            if institution is None or CatalogSource.objects.filter(base_url=base_url).exists():
                continue
            source = source_register(
                actor=None,
                institution=institution,
                base_url=base_url,
                metadata_prefix=library.record_format,
                record_format=library.record_format,
                schedule=SCHEDULES.get(library.slug, HarvestSchedule.WEEKLY),
                record_link=f"{url}/{library.slug}/record/{{local_id}}",
                check=True,
            )
            run = harvest_source(source, full=True)
            lines.append(
                f"  {source.name}: {run.new} new, {run.deleted} deleted, {run.failed} failed "
                f"({run.get_state_display()})"
            )
    return f"Registered and harvested {len(lines)} partner catalogs at {url}:\n" + "\n".join(lines)
