import datetime

from django.core.management.base import BaseCommand

from libranet.mail.services import mail_send_due


class Command(BaseCommand):
    help = (
        "Send the outbox's messages that are waiting: pending, failed with an attempt still "
        "planned (without waiting for the back-off), or left claimed by a sender that died. The "
        "task worker does this by itself; this is the hand tool, for instance once the mail "
        "server is back. Safe to run twice, and beside the worker: a message is claimed before "
        "it is sent. Messages whose attempts are spent are resent by staff (back office)."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--min-age",
            type=int,
            default=60,
            help=(
                "leave pending messages younger than this many seconds to the task their "
                "commit queued (default 60)"
            ),
        )

    def handle(self, *args, min_age, **options):
        counts = mail_send_due(early=True, min_age=datetime.timedelta(seconds=min_age))
        self.stdout.write(f"{counts['sent']} sent, {counts['failed']} failed")
        if counts["failed"]:
            self.stderr.write("The failed messages stay in the outbox with their error.")
