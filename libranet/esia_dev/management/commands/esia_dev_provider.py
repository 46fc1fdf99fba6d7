"""manage.py esia_dev_provider: serve the local ESIA-compatible provider (development only)."""

from django.core.management.base import BaseCommand, CommandError

from libranet.esia_dev.server import make_server, provider_from_folder


class Command(BaseCommand):
    help = (
        "Serve a local ESIA-compatible provider: ESIA's endpoints, checks and token shapes, "
        "with a page to pick a test person. For development and tests, never production."
    )

    def add_arguments(self, parser):
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=8001)
        parser.add_argument("--issuer", default="", help="default: http://HOST:PORT/")
        parser.add_argument("--dir", default=None, help="default: LIBRANET_ESIA_DEV_DIR")

    def handle(self, *args, **options):
        host, port = options["host"], options["port"]
        issuer = options["issuer"] or f"http://{host}:{port}/"
        try:
            provider = provider_from_folder(options["dir"], issuer=issuer)
        except FileNotFoundError as error:
            raise CommandError(str(error)) from error
        clients = sorted({client.client_id for client in provider.clients().values()})
        server = make_server(host, port, provider)
        self.stdout.write(
            f"Local ESIA provider at http://{host}:{port}/ (issuer {issuer}; "
            f"clients: {', '.join(clients) or 'none'})"
        )
        try:
            server.serve_forever()
        except KeyboardInterrupt:
            pass
        finally:
            server.server_close()
