import logging
import time

from django.core.exceptions import ImproperlyConfigured
from django.core.management.base import BaseCommand, CommandError
from django.db import close_old_connections

from libranet.schedule.services import schedule_jobs, schedule_run_due

logger = logging.getLogger("libranet.schedule")


class Command(BaseCommand):
    help = (
        "Queue the periodic jobs of LIBRANET_SCHEDULE on their slots, for the task worker to run "
        "(`make run` starts both). Several runners may run: each slot is queued once."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--interval",
            type=float,
            default=20.0,
            help="seconds between two looks at the schedule (default 20)",
        )
        parser.add_argument("--once", action="store_true", help="one look, then exit")

    def handle(self, *args, interval, once, **options):
        try:
            jobs = schedule_jobs()  # a malformed schedule stops here, before any loop
        except ImproperlyConfigured as exc:
            raise CommandError(str(exc)) from exc
        if not once:
            self.stdout.write("Schedule: " + ", ".join(f"{job.name} ({job.cron})" for job in jobs))
        while True:
            try:
                for run in schedule_run_due():
                    outcome = run.error or f"task {run.task_id}"
                    self.stdout.write(f"{run.slot:%Y-%m-%d %H:%M} {run.job}: {outcome}")
            except Exception:
                if once:
                    raise
                # A database that is away for a moment must not end the runner.
                logger.exception("schedule: the pass failed; trying again in %s s", interval)
            if once:
                return
            time.sleep(interval)
            # Between passes, as Django does between requests: a connection the database
            # dropped meanwhile is replaced rather than failing the next pass.
            close_old_connections()
