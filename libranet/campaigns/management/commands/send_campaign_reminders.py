from django.core.management.base import BaseCommand, CommandError

from libranet import dates
from libranet.campaigns.mailing import campaign_reminders_send


class Command(BaseCommand):
    help = (
        "Queue the reminders of the open monitoring campaigns due today: before the deadline to "
        "the centers that have not submitted, after it to the late ones and their regional "
        "centers' heads. Safe to run twice: a reminder already in the outbox is not queued again."
    )

    def add_arguments(self, parser):
        parser.add_argument("--today", help="the day to act as, YYYY-MM-DD (default: today)")

    def handle(self, *args, today, **options):
        try:
            day = dates.parse_day(today, parameter="today") if today else None
        except dates.DateInputError as exc:
            raise CommandError(exc.reason) from exc
        outcome = campaign_reminders_send(today=day)
        self.stdout.write(
            f"Campaign reminders: {outcome.queued} messages queued now, {outcome.already} "
            f"already in the outbox."
        )
        if outcome.without_address:
            codes = ", ".join(center.code for center in outcome.without_address)
            self.stderr.write(f"No address for these centers: {codes}")
