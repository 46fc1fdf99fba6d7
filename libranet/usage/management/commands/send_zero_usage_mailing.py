from django.core.management.base import BaseCommand, CommandError

from libranet.dates import month_text
from libranet.usage.mailing import MailingError, zero_usage_mailing_send
from libranet.usage.management.arguments import parse_month


class Command(BaseCommand):
    help = (
        "Queue the zero-usage mailing of a past month: to each regional center's head, the "
        "centers it coordinates that recorded zero indicators; to the network department, the "
        "network's summary. The task worker sends the messages. Safe to run twice: a message "
        "already in the outbox is not queued again."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--month", help="the month, as YYYY-MM (default: the month before this one)"
        )

    def handle(self, *args, month, **options):
        try:
            outcome = zero_usage_mailing_send(
                month=parse_month(month) if month is not None else None
            )
        except MailingError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(
            f"Zero-usage mailing {month_text(outcome.month)}: {outcome.queued} messages queued "
            f"now, {outcome.already} already in the outbox for that month."
        )
        if outcome.without_address:
            codes = ", ".join(center.code for center in outcome.without_address)
            self.stderr.write(
                f"No address for these regional centers (no head with an e-mail, no e-mail of "
                f"their own): {codes}"
            )
