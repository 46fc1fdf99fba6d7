"""manage.py esia_dev_provider: serve the local ESIA-compatible provider (development only)."""

from django.core.management.base import BaseCommand, CommandError

from libranet.accounts.esia.signing import CERT_HASHES, SigningError, cert_hash_problem
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
        # The certificate hash is configuration the application reads too: refuse to start
        # with one that cannot work here, rather than refuse every sign-in later.
        problem = cert_hash_problem(provider.cert_hash)
        if problem:
            raise CommandError(f"The local ESIA provider cannot start: {problem}")
        try:
            clients = sorted({client.client_id for client in provider.clients().values()})
        except SigningError as error:
            raise CommandError(f"The local ESIA provider cannot start: {error}") from error
        server = make_server(host, port, provider)
        self.stdout.write(
            f"Local ESIA provider at http://{host}:{port}/ (issuer {issuer}; "
            f"clients: {', '.join(clients) or 'none'}; certificates named by their "
            f"{CERT_HASHES[provider.cert_hash]} hash, LIBRANET_ESIA_CERT_HASH="
            f"{provider.cert_hash})"
        )
        try:
            server.serve_forever()
        except KeyboardInterrupt:
            pass
        finally:
            server.server_close()
