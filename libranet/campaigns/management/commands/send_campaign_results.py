from django.core.management.base import BaseCommand, CommandError

from libranet.campaigns.mailing import campaign_results_send
from libranet.campaigns.models import Campaign


class Command(BaseCommand):
    help = (
        "Mail a monitoring campaign's results to every regional center (its heads, else its own "
        "address): the network's summary and their region's. Safe to run twice: a recipient "
        "already mailed is not mailed again."
    )

    def add_arguments(self, parser):
        parser.add_argument("campaign", type=int, help="the campaign's id")

    def handle(self, *args, campaign, **options):
        found = Campaign.objects.filter(pk=campaign).first()
        if found is None:
            raise CommandError(f"There is no campaign with id {campaign}.")
        outcome = campaign_results_send(actor=None, campaign=found)
        self.stdout.write(
            f"Results of campaign {found.pk}: {outcome.queued} messages queued now, "
            f"{outcome.already} already in the outbox."
        )
        if outcome.without_address:
            codes = ", ".join(center.code for center in outcome.without_address)
            self.stderr.write(f"No address for these regional centers: {codes}")
