"""Harvesting a partner catalog: one ``HarvestRun`` asks the source for its records page by page
(ListRecords, following the resumption tokens) and writes each page in ONE transaction: its
records upserted by (source, identifier), its deleted headers marked, its failures counted, and
the run's position (the token of the next page, the pages done) saved with them. So a run
stopped anywhere (an error, a killed process) has written whole pages only, and the next run
resumes from the token it saved: no record twice (the unique constraint and the upsert), none
lost. A source that rejects the saved token (badResumptionToken: tokens expire) is harvested
again from the stopped run's ``from``, which the upserts make safe.

Nothing here raises: every failure ends the run ``failed`` with its reason, keeping what it
wrote (the task worker runs this and must never crash). An incremental run asks from the
source's ``harvested_from``: the datestamp, in the source's granularity, at which the last
successful run (or the first run of a resumed chain) started, by the source's own clock.

A source with sets is harvested set after set; its run's saved position is then "<set spec>
<token>" (a set spec holds no space), so a resumed run knows which sets are left."""

import datetime as dt
import logging
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Min
from django.utils import timezone
from django.utils.translation import gettext as _
from lxml import etree

from .client import OAI, Page, SourceClient, SourceError
from .mapping import MappingError, map_record
from .models import CatalogRecord, CatalogSource, HarvestRun

logger = logging.getLogger(__name__)

Progress = Callable[[int, int | None], None]
MAX_FAILURES_KEPT = 100
_RECORD_FIELDS = (
    "datestamp",
    "deleted",
    "title",
    "creators",
    "date_text",
    "year",
    "type",
    "subjects",
    "language",
    "isbns",
    "identifiers",
    "publisher",
    "work_key",
    "title_key",
    "source_xml",
    "harvested_at",
)
_EMPTY: dict[str, Any] = {
    "title": "",
    "creators": [],
    "date_text": "",
    "year": None,
    "type": "",
    "subjects": [],
    "language": "",
    "isbns": [],
    "identifiers": [],
    "publisher": "",
    "work_key": "",
    "title_key": "",
}


class HarvestUnderWay(Exception):
    """Another run of the source is under way: two runs of one source would fetch the same
    pages twice and fight over its resumption token."""

    def __init__(self, run: HarvestRun) -> None:
        super().__init__(run.pk)
        self.run = run


class HarvestStopped(Exception):
    """The run cannot go on; ``reason`` is kept as its error. ``keep_token``: the next run may
    resume from the saved token (False when the token itself is the trouble)."""

    def __init__(self, reason: str, *, keep_token: bool = True) -> None:
        super().__init__(reason)
        self.reason = reason
        self.keep_token = keep_token


def in_granularity(moment: str | dt.datetime, granularity: str) -> str:
    """A datestamp as the source takes it: ``YYYY-MM-DD`` for a day granularity, else the
    UTC second (``YYYY-MM-DDThh:mm:ssZ``)."""
    if isinstance(moment, dt.datetime):
        moment = moment.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    if granularity.upper() == "YYYY-MM-DD" or not granularity:
        return moment[:10]
    return moment


def harvest_source(
    source: CatalogSource,
    *,
    full: bool = False,
    actor: Any = None,
    progress: Progress | None = None,
) -> HarvestRun:
    """Harvest ``source`` (all of it with ``full``, else what changed since ``harvested_from``;
    a stopped run is resumed first). Returns the run, succeeded or failed; raises
    HarvestUnderWay, starting nothing, while another run of the source is under way."""
    with transaction.atomic():
        # The source's row lock makes "none under way, so start one" one step across processes.
        CatalogSource.objects.select_for_update().filter(pk=source.pk).first()
        under_way = run_under_way(source)
        if under_way is not None:
            raise HarvestUnderWay(under_way)
        previous = _stopped_run(source)
        full = full or not source.harvested_from
        run = HarvestRun.objects.create(
            source=source,
            kind=HarvestRun.Kind.FULL if full else HarvestRun.Kind.INCREMENTAL,
            from_datestamp="" if full else source.harvested_from,
            started_at=timezone.now(),
            started_by=actor if getattr(actor, "pk", None) else None,
        )
        if previous is not None and not (full and previous.kind != HarvestRun.Kind.FULL):
            run.resumed_from = previous
            run.kind, run.from_datestamp = previous.kind, previous.from_datestamp
            run.resumption_token = previous.resumption_token
            run.save(update_fields=["resumed_from", "kind", "from_datestamp", "resumption_token"])
    harvest = _Harvest(run, progress)
    try:
        harvest.go()
    except HarvestStopped as stop:
        harvest.fail(stop.reason, keep_token=stop.keep_token)
    except KeyboardInterrupt:
        harvest.fail(_("Interrupted by hand."), keep_token=True)
        raise
    except Exception as exc:  # the worker must not crash; the reason is kept for the staff
        logger.exception("harvest of catalog source %s failed", source.pk)
        harvest.fail(_("Unexpected error: {error}").format(error=exc), keep_token=True)
    return run


def join_editions(title_keys: set[str], now: dt.datetime, model: Any = CatalogRecord) -> int:
    """Give the live records without ISBN of these title keys the work of the ISBN records
    with the same key (the smallest ISBN key), in every source; each record re-keyed is marked
    harvested ``now`` so that the union search moves it. Returns how many were re-keyed.
    ``model``: the migration that fills the title keys passes its historical model."""
    if not title_keys:
        return 0
    live = model.objects.filter(deleted=False, title_key__in=title_keys)
    target = dict(
        live.filter(work_key__startswith="isbn:")
        .values("title_key")
        .annotate(key=Min("work_key"))
        .values_list("title_key", "key")
        .order_by()
    )
    if not target:
        return 0
    moves: dict[str, list[int]] = {}
    plain = live.filter(title_key__in=list(target), isbns=[]).values_list(
        "pk", "title_key", "work_key"
    )
    for pk, key, current in plain:
        if current != target[key]:
            moves.setdefault(target[key], []).append(pk)
    for key, pks in moves.items():
        model.objects.filter(pk__in=pks).update(work_key=key, harvested_at=now)
    return sum(len(pks) for pks in moves.values())


def run_under_way(source: CatalogSource) -> HarvestRun | None:
    """The source's run still running, unless it has run for longer than
    LIBRANET_HARVEST_STALE_HOURS: such a run was stopped with its process, and is marked so."""
    stale = timezone.now() - dt.timedelta(hours=settings.LIBRANET_HARVEST_STALE_HOURS)
    source.runs.filter(state=HarvestRun.State.RUNNING, started_at__lt=stale).update(
        state=HarvestRun.State.FAILED,
        finished_at=timezone.now(),
        error=_("Stopped before it finished (its process ended)."),
    )
    return source.runs.filter(state=HarvestRun.State.RUNNING).order_by("started_at").first()


def _stopped_run(source: CatalogSource) -> HarvestRun | None:
    """The last run, if it stopped half way with a position to resume from."""
    last = source.runs.order_by("-started_at", "-pk").first()
    if last is not None and last.state == HarvestRun.State.FAILED and last.resumption_token:
        return last
    return None


class _Harvest:
    def __init__(self, run: HarvestRun, progress: Progress | None) -> None:
        self.run = run
        self.source: CatalogSource = run.source
        self.progress = progress
        self.client = SourceClient(self.source.base_url)
        self.first_response_date = ""
        self.done = 0

    def go(self) -> None:
        run, source = self.run, self.source
        sets: list[str] = list(source.sets) or [""]
        start_set, token = 0, ""
        if run.resumption_token:
            spec, token = _split_position(run.resumption_token, bool(source.sets))
            start_set = sets.index(spec) if spec in sets else 0
        for index in range(start_set, len(sets)):
            self._harvest_list(sets[index], token if index == start_set else "")
        self._succeed()

    def _list_params(self, spec: str) -> dict[str, str]:
        params = {"verb": "ListRecords", "metadataPrefix": self.source.metadata_prefix}
        if self.run.from_datestamp:
            params["from"] = in_granularity(self.run.from_datestamp, self.source.granularity)
        if spec:
            params["set"] = spec
        return params

    def _harvest_list(self, spec: str, token: str) -> None:
        seen: set[str] = set()
        resuming = bool(token)
        while True:
            params = (
                {"verb": "ListRecords", "resumptionToken": token}
                if token
                else self._list_params(spec)
            )
            try:
                page = self.client.page(**params)
            except SourceError as exc:
                if exc.code == "badResumptionToken" and resuming:
                    # The saved token expired: harvest the list again from the stopped run's
                    # "from"; the upserts make the pages taken already harmless.
                    resuming, token = False, ""
                    continue
                raise HarvestStopped(
                    exc.reason, keep_token=exc.code != "badResumptionToken"
                ) from exc
            resuming = False
            if not self.first_response_date:
                self.first_response_date = page.response_date
            if page.token and page.token in seen | {token}:
                reason = _("The source sent the same resumption token twice (“{token}”): a loop.")
                raise HarvestStopped(reason.format(token=page.token[:200]), keep_token=False)
            seen.add(page.token)
            self._write(page, spec)
            if not page.token:
                return
            token = page.token

    def _write(self, page: Page, spec: str) -> None:
        """One page, one transaction: the records, the counts and the run's position."""
        now = timezone.now()
        rows: dict[str, dict[str, Any]] = {}
        failures: list[dict[str, str]] = []
        deleted = 0
        for element in page.items:
            header = element.find(f"{OAI}header")
            if header is None:
                header = etree.Element(f"{OAI}header")
            identifier = (header.findtext(f"{OAI}identifier") or "").strip()
            if not identifier:
                failures.append({"identifier": "", "reason": _("The record has no identifier.")})
                continue
            row: dict[str, Any] = {
                "datestamp": (header.findtext(f"{OAI}datestamp") or "").strip()[:32],
                "source_xml": etree.tostring(element, encoding="unicode"),
                "harvested_at": now,
            }
            if header.get("status") == "deleted":
                row.update(_EMPTY, deleted=True)
                deleted += 1
            else:
                try:
                    row.update(
                        map_record(element.find(f"{OAI}metadata"), self.source.record_format),
                        deleted=False,
                    )
                except MappingError as exc:
                    failures.append({"identifier": identifier[:500], "reason": str(exc)})
                    continue
            rows[identifier[:500]] = row
        run = self.run
        with transaction.atomic():
            existing = {
                r.identifier: r
                for r in CatalogRecord.objects.select_for_update().filter(
                    source=self.source, identifier__in=list(rows)
                )
            }
            new = [
                CatalogRecord(source=self.source, identifier=identifier, **row)
                for identifier, row in rows.items()
                if identifier not in existing
            ]
            changed = []
            for identifier, record in existing.items():
                for name, value in rows[identifier].items():
                    setattr(record, name, value)
                changed.append(record)
            CatalogRecord.objects.bulk_create(new)
            CatalogRecord.objects.bulk_update(changed, _RECORD_FIELDS)
            join_editions({r.title_key for r in new + changed if r.title_key}, now)
            run.new += sum(1 for r in new if not r.deleted)
            run.updated += sum(1 for r in changed if not r.deleted)
            run.deleted += deleted
            run.failed += len(failures)
            run.failures = (run.failures + failures)[:MAX_FAILURES_KEPT]
            run.pages += 1
            run.resumption_token = _position(spec, page.token, bool(self.source.sets))
            run.save(
                update_fields=[
                    "new", "updated", "deleted", "failed", "failures", "pages", "resumption_token"
                ]
            )  # fmt: skip
        self.done += len(page.items)
        if self.progress is not None:
            self.progress(self.done, page.complete_size)

    def _succeed(self) -> None:
        run, source = self.run, self.source
        start = in_granularity(self.first_response_date or run.started_at, source.granularity)
        chain_start = self._chain_start()
        if chain_start and chain_start < start:
            start = chain_start
        with transaction.atomic():
            run.state, run.finished_at, run.resumption_token = (
                HarvestRun.State.SUCCEEDED,
                timezone.now(),
                "",
            )
            run.save(update_fields=["state", "finished_at", "resumption_token"])
            CatalogSource.objects.filter(pk=source.pk).update(harvested_from=start)
            source.harvested_from = start

    def _chain_start(self) -> str:
        """When the first run of a resumed chain started: records changed after it may sit on
        pages that run took before the change, so the next incremental run asks from it."""
        first = self.run
        while first.resumed_from_id:
            first = HarvestRun.objects.get(pk=first.resumed_from_id)
        if first.pk == self.run.pk:
            return ""
        return in_granularity(first.started_at, self.source.granularity)

    def fail(self, reason: str, *, keep_token: bool) -> None:
        run = self.run
        run.state, run.finished_at, run.error = HarvestRun.State.FAILED, timezone.now(), reason
        if not keep_token:
            run.resumption_token = ""
        run.save(update_fields=["state", "finished_at", "error", "resumption_token"])


def _position(spec: str, token: str, has_sets: bool) -> str:
    if not token:
        return ""
    return f"{spec} {token}" if has_sets else token


def _split_position(position: str, has_sets: bool) -> tuple[str, str]:
    if not has_sets:
        return "", position
    spec, _space, token = position.partition(" ")
    return spec, token
