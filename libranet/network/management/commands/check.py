from django.core.management.commands import check

from libranet.probes import probing


class Command(check.Command):
    help = (
        f"{check.Command.help} Also asks the shared servers that the settings name (the object "
        "store, the cache) whether they answer, which other commands do not."
    )

    def handle(self, *args, **options):
        with probing():
            return super().handle(*args, **options)
