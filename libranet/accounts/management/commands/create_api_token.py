from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from libranet.accounts.models import User
from libranet.accounts.services import api_token_create


class Command(BaseCommand):
    help = (
        "Issue an API token for a user and print its secret, once: only its hash is stored. "
        "The token may do through the API what the user's role allows."
    )

    def add_arguments(self, parser):
        parser.add_argument("username", help="the user the token acts as")
        parser.add_argument(
            "--name",
            default="command line",
            help="what the token is for, to tell tokens apart (default “command line”)",
        )

    def handle(self, *args, username, name, **options):
        user = User.objects.filter(username=username).first()
        if user is None:
            raise CommandError(f"There is no user “{username}”.")
        if not user.is_active:
            raise CommandError(f"User “{username}” is inactive; a token of theirs would not work.")
        try:
            token, secret = api_token_create(user=user, name=name)
        except ValidationError as exc:
            raise CommandError(" ".join(exc.messages)) from exc
        # The secret alone on stdout, so that a script can take it; the rest for the person.
        self.stderr.write(
            f"Token “{token.name}” ({token.prefix}…) issued for {user.username}. "
            "Keep the secret below: it is not stored and cannot be shown again."
        )
        self.stdout.write(secret)
