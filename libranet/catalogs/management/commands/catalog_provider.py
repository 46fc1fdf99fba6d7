"""manage.py catalog_provider: serve the demo's synthetic partner catalogs over OAI-PMH."""

from django.conf import settings
from django.core.management.base import BaseCommand

from libranet.catalogs.provider.catalogs import catalogs
from libranet.catalogs.provider.server import make_server


class Command(BaseCommand):
    help = (
        "Serve the demo's synthetic partner catalogs, each library its own OAI-PMH repository "
        "at /<library>/oai (development and the demo, never production)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--host", default=settings.LIBRANET_CATALOG_PROVIDER_HOST)
        parser.add_argument("--port", type=int, default=settings.LIBRANET_CATALOG_PROVIDER_PORT)
        parser.add_argument(
            "--page-size", type=int, default=settings.LIBRANET_CATALOG_PROVIDER_PAGE_SIZE
        )

    def handle(self, *args, host, port, page_size, **options):
        server = make_server(host, port, page_size=page_size)
        self.stdout.write(f"Demo partner catalogs at http://{host}:{port}/:")
        for slug, catalog in catalogs().items():
            library = catalog.library
            self.stdout.write(
                f"  http://{host}:{port}/{slug}/oai  {library.name_en} "
                f"({', '.join(library.formats)}; {len(catalog.records)} records)"
            )
        try:
            server.serve_forever()
        except KeyboardInterrupt:
            pass
        finally:
            server.server_close()
