"""Partner catalogs for the department (a staff token or session): the sources with their last
runs, registering one (checked over OAI-PMH first, as in the back office: 422 naming the field
that is wrong), and queueing a harvest (202; the task worker runs it)."""

import datetime
from typing import Annotated, Any, Literal

from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Path, Query, Router, Schema, Status
from ninja.errors import HttpError

from libranet.catalogs.models import CatalogSource, HarvestRun
from libranet.catalogs.selectors import last_runs, sources_listed
from libranet.catalogs.services import harvest_request, source_register
from libranet.network.models import Institution
from libranet.network.permissions import Capability

from .auth import WRITE_AUTH, require
from .pagination import paginate
from .schemas import BodyIn, PageQuery, Text, errors

router = Router(tags=["catalog sources"])
Id = Annotated[int, Path(ge=1, le=2**63 - 1)]
RUNS_SHOWN = 20


class RunOut(Schema):
    id: int
    kind: str = Field(description="full or incremental")
    state: str = Field(description="running, succeeded or failed")
    from_datestamp: str = Field(description="The datestamp the run asked from (empty: all).")
    pages: int
    new: int
    updated: int
    deleted: int
    failed: int
    failures: list[dict[str, str]] = Field(
        description="The first records that could not be read: identifier and reason."
    )
    error: str = Field(description="Why the run stopped, if it failed.")
    started_at: datetime.datetime
    finished_at: datetime.datetime | None
    resumed_from: int | None = Field(description="The stopped run this one continued.")


class SourceOut(Schema):
    id: int
    name: str
    institution: int = Field(description="Id of the holding library (/api/v1/institutions).")
    institution_name: str
    base_url: str
    metadata_prefix: str
    record_format: str = Field(description="oai_dc, marc21 or rusmarc")
    sets: list[str]
    schedule: str = Field(description="daily, weekly or manual")
    record_link: str
    active: bool
    repository_name: str
    granularity: str
    earliest_datestamp: str
    deleted_record: str
    harvested_from: str = Field(description="The next incremental run asks from here.")
    records: int = Field(description="Records harvested, deleted ones left out.")
    last_run: RunOut | None
    runs: list[RunOut] | None = Field(None, description="The latest runs (one source's read).")


class SourcePage(Schema):
    count: int
    items: list[SourceOut]


class SourceIn(BodyIn):
    institution: int = Field(ge=1, le=2**63 - 1, description="Id of the holding library.")
    base_url: str = Field(max_length=500, description="The OAI-PMH base URL (http or https).")
    metadata_prefix: str = Field(max_length=64)
    record_format: Literal["oai_dc", "marc21", "rusmarc"]
    sets: list[Annotated[str, Field(max_length=200)]] = Field(default_factory=list, max_length=50)
    schedule: Literal["daily", "weekly", "manual"] = "daily"
    record_link: Text = Field("", max_length=500, description="With {identifier} or {local_id}.")
    name: Text = Field("", max_length=300, description="Default: the repository's own name.")


class HarvestIn(BodyIn):
    full: bool = Field(False, description="Harvest everything, not only what changed.")


class HarvestQueued(Schema):
    source: int
    full: bool


def _run(run: HarvestRun | None) -> dict[str, Any] | None:
    if run is None:
        return None
    names = (
        "id", "kind", "state", "from_datestamp", "pages", "new", "updated", "deleted", "failed",
        "failures", "error", "started_at", "finished_at",
    )  # fmt: skip
    return {**{n: getattr(run, n) for n in names}, "resumed_from": run.resumed_from_id}


def _out(source: CatalogSource, last: HarvestRun | None, runs: list | None = None) -> dict:
    names = (
        "id", "name", "base_url", "metadata_prefix", "record_format", "sets", "schedule",
        "record_link", "active", "repository_name", "granularity", "earliest_datestamp",
        "deleted_record", "harvested_from",
    )  # fmt: skip
    return {
        **{n: getattr(source, n) for n in names},
        "institution": source.institution_id,
        "institution_name": source.institution.name_ru,
        "records": getattr(source, "record_count", 0),
        "last_run": _run(last),
        "runs": [_run(r) for r in runs] if runs is not None else None,
    }


def _source(source_id: int) -> CatalogSource:
    source = sources_listed().filter(pk=source_id).first()
    if source is None:
        raise HttpError(404, _("There is no catalog source with id {id}.").format(id=source_id))
    return source


@router.get(
    "/catalog-sources",
    auth=WRITE_AUTH,
    response={200: SourcePage, **errors(403)},
    summary="List the partner catalogs",
)
def list_sources(request: HttpRequest, page: Query[PageQuery]):
    """Every registered source with its last run (the department only)."""
    require(request.auth, Capability.MANAGE_CATALOG_SOURCES)  # type: ignore[attr-defined]
    found = paginate(sources_listed(), page)
    runs = last_runs(found["items"])
    found["items"] = [_out(s, runs.get(s.pk)) for s in found["items"]]
    return found


@router.get(
    "/catalog-sources/{source_id}",
    auth=WRITE_AUTH,
    response={200: SourceOut, **errors(403, 404)},
    summary="Read a partner catalog",
)
def read_source(request: HttpRequest, source_id: Id):
    """One source with its latest runs."""
    require(request.auth, Capability.MANAGE_CATALOG_SOURCES)  # type: ignore[attr-defined]
    source = _source(source_id)
    runs = list(source.runs.order_by("-started_at", "-pk")[:RUNS_SHOWN])
    return _out(source, runs[0] if runs else None, runs)


@router.post(
    "/catalog-sources",
    auth=WRITE_AUTH,
    response={201: SourceOut, **errors(403)},
    summary="Register a partner catalog",
)
def create_source(request: HttpRequest, payload: SourceIn):
    """Register a source: the source is asked first (Identify, ListMetadataFormats, ListSets);
    an unreachable source, an answer that is not OAI-PMH, a prefix or a set it does not offer
    is a 422 naming the field. Nothing is written then."""
    user = request.auth  # type: ignore[attr-defined]
    require(user, Capability.MANAGE_CATALOG_SOURCES)
    fields = payload.model_dump()
    institution = Institution.objects.filter(pk=fields.pop("institution")).first()
    if institution is None:
        raise ValidationError({"institution": _("There is no institution with this id.")})
    source = source_register(actor=user, institution=institution, **fields)
    return Status(201, _out(_source(source.pk), None, []))


@router.post(
    "/catalog-sources/{source_id}/harvests",
    auth=WRITE_AUTH,
    response={202: HarvestQueued, **errors(403, 404)},
    summary="Harvest a partner catalog now",
)
def request_harvest(request: HttpRequest, source_id: Id, payload: HarvestIn):
    """Queue a harvest of the source (incremental, or ``full``); the task worker runs it and
    the source's read shows the run. A deactivated source is a 422."""
    user = request.auth  # type: ignore[attr-defined]
    require(user, Capability.MANAGE_CATALOG_SOURCES)
    source = _source(source_id)
    harvest_request(actor=user, source=source, full=payload.full)
    return Status(202, {"source": source.pk, "full": payload.full})
