"""manage.py esia_dev_keys: the demo's keys for the local ESIA provider and its one client."""

from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from libranet.accounts.esia.signing import SigningError, gost_available
from libranet.esia_dev.keys import DEMO_CLIENT_ID, ensure_dev_keys


class Command(BaseCommand):
    help = (
        "Write the local ESIA provider's key and a demo client system's key and certificate "
        "(RSA, or GOST with --gost), and register that certificate with the provider. "
        "Keeps what exists unless --force."
    )

    def add_arguments(self, parser):
        parser.add_argument("--dir", default=None, help="default: LIBRANET_ESIA_DEV_DIR")
        parser.add_argument("--client-id", default=DEMO_CLIENT_ID)
        parser.add_argument("--gost", action="store_true", help="GOST R 34.10-2012 keys")
        parser.add_argument("--force", action="store_true", help="write new keys")

    def handle(self, *args, **options):
        folder = Path(options["dir"] or settings.LIBRANET_ESIA_DEV_DIR)
        if options["gost"] and not gost_available():
            raise CommandError(
                "--gost needs the openssl GOST engine: apt-get install libengine-gost-openssl"
            )
        try:
            keys, written = ensure_dev_keys(
                folder, client_id=options["client_id"], gost=options["gost"], force=options["force"]
            )
        except SigningError as error:
            raise CommandError(str(error)) from error
        for path in written:
            self.stdout.write(f"wrote {path}")
        if options["verbosity"] > 1 or written:
            self.stdout.write(f"ESIA demo keys in {keys.directory}")
