import datetime

from django.core.management.base import BaseCommand
from django.db.models import Q
from django.utils import timezone

from libranet.mail.models import OutgoingMail
from libranet.mail.services import mail_deliver

State = OutgoingMail.State


class Command(BaseCommand):
    help = (
        "Send the outbox's messages that are still pending or whose sending failed. Safe to run "
        "twice: a message is marked sent as soon as it is."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--min-age",
            type=int,
            default=60,
            help=(
                "leave pending messages younger than this many seconds to the request that "
                "stored them, which sends them as it commits (default 60)"
            ),
        )
        parser.add_argument(
            "--max-attempts",
            type=int,
            default=10,
            help="give up on a message after this many attempts (default 10)",
        )

    def handle(self, *args, min_age, max_attempts, **options):
        cutoff = timezone.now() - datetime.timedelta(seconds=min_age)
        due = OutgoingMail.objects.filter(
            Q(state=State.FAILED) | Q(state=State.PENDING, created_at__lte=cutoff),
            attempts__lt=max_attempts,
        )
        sent = failed = 0
        for mail in due.order_by("created_at", "id").iterator():
            if mail_deliver(mail=mail):
                sent += 1
            else:
                failed += 1
        self.stdout.write(f"{sent} sent, {failed} failed")
        if failed:
            self.stderr.write("The failed messages stay in the outbox with their error.")
