"""``manage.py seed_demo``: the demo of every area (the registry, its staff, the collections).

It lives with the back office, above the domain apps, since it seeds several of them."""

import datetime
import secrets
import time

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from libranet.agreements.demo import seed_agreements
from libranet.campaigns.demo import seed_campaigns
from libranet.catalogs.demo import seed_catalogs
from libranet.events.demo import seed_events
from libranet.meetings.demo import seed_meetings
from libranet.network.demo import DEMO_ACCOUNTS, seed_accounts, seed_network
from libranet.network.models import Center
from libranet.news.demo import seed_news
from libranet.planning.demo import seed_planning
from libranet.resources.demo import seed_resources
from libranet.usage.demo import generate_usage
from libranet.videos.demo import seed_videos


def demo_password() -> str:
    """The demo accounts' password: generated once into the data folder, never in the code."""
    path = settings.DATA_DIR / "demo_password"
    if not path.exists():
        path.write_text(secrets.token_urlsafe(12))
        path.chmod(0o600)
    return path.read_text().strip()


class Command(BaseCommand):
    help = (
        "Seed the demo network: the centers the seed documents name, a synthetic network the "
        "size of the real one (85 regional, 400+ remote access, 30+ foreign centers in 27 "
        "countries), a staff account for each role, the collections, and synthetic usage of "
        "last month and this month so far."
    )

    def add_arguments(self, parser):
        parser.add_argument("--seed", type=int, default=2018, help="random seed (default 2018)")
        parser.add_argument("--scale", type=int, default=1, help="multiply the synthetic network")
        parser.add_argument("--if-empty", action="store_true", help="do nothing if centers exist")
        parser.add_argument("--password", help="password of the demo accounts")

    def handle(self, *args, seed, scale, if_empty, password, **options):
        if scale < 1:
            raise CommandError("--scale must be 1 or more.")
        if Center.objects.exists():
            if if_empty:
                self.stdout.write("Centers exist already; demo data not seeded.")
                return
            raise CommandError("The registry already has centers; seed an empty database.")
        started = time.monotonic()
        result = seed_network(seed=seed, scale=scale)
        password = password or demo_password()
        seed_accounts(password=password)
        self.stdout.write(
            self.style.SUCCESS(
                f"Seeded {result.centers} centers in {time.monotonic() - started:.1f}s: "
                f"{result.regional} regional, {result.remote} remote access, {result.branches} "
                f"branch{'' if result.branches == 1 else 'es'}, {result.foreign} foreign in "
                f"{result.countries} countries."
            )
        )
        started = time.monotonic()
        made = seed_resources(seed=seed, scale=scale)
        self.stdout.write(
            f"Seeded {made.resources} resources in {made.collections} collections with "
            f"{made.files} files in {time.monotonic() - started:.1f}s."
        )
        started = time.monotonic()
        this_month = timezone.localdate().replace(day=1)
        last_month = (this_month - datetime.timedelta(days=1)).replace(day=1)
        events = sum(
            generate_usage(month=month, scale=scale, seed=seed).events
            for month in (last_month, this_month)
        )
        self.stdout.write(
            f"Generated {events} usage events for {last_month:%Y-%m} and {this_month:%Y-%m} "
            f"so far, rolled up, in {time.monotonic() - started:.1f}s."
        )
        self.stdout.write(seed_campaigns(seed=seed))
        self.stdout.write(f"Seeded the opening plans (proposals per year): {seed_planning()}.")
        meetings = seed_meetings()
        self.stdout.write(
            f"Seeded {meetings.meetings} meetings, their resolution's {meetings.tasks} tasks "
            f"({meetings.done} done)."
        )
        agreements = seed_agreements(seed=seed)
        self.stdout.write(
            f"Seeded {agreements.agreements} cooperation agreements ({agreements.scans} with a "
            f"scan) and a renewal round of {agreements.renewals}."
        )
        self.stdout.write(
            "Seeded {0.events} events ({0.photos} with a photo), a joint-event round "
            "({0.confirmed} of {0.reports} confirmed).".format(seed_events(seed=seed))
        )
        self.stdout.write(f"Seeded {seed_videos()} videos for the Library's channel.")
        self.stdout.write(seed_news(seed=seed))
        self.stdout.write(seed_catalogs())
        self.stdout.write("Demo sign-ins (password in the data folder, file demo_password):")
        for username, role, scope, _superuser in DEMO_ACCOUNTS:
            self.stdout.write(f"  {username:<20} {role.label}{f' ({scope})' if scope else ''}")
