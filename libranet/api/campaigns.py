"""Monitoring campaigns: the campaigns a staff member sees, each with its indicators and the
responses of the centers in their scope (the answers under each); the department creates
campaigns; a center's answers are saved or submitted with the revision they were read at. The
same services and rules as the back office's pages (``libranet.campaigns``)."""

import datetime
from decimal import Decimal
from typing import Annotated, Any, Literal

from django.db.models import Prefetch
from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, Path, Query, Router, Schema, Status
from ninja.errors import HttpError

from libranet.campaigns.models import Answer, Campaign, Indicator, Response
from libranet.campaigns.selectors import campaigns_for
from libranet.campaigns.services import CampaignError, campaign_create, response_save
from libranet.network.models import Center, Region
from libranet.network.permissions import Capability, campaign_centers_for
from libranet.revisions import EditConflict

from .auth import WRITE_AUTH, require
from .schemas import BodyIn, CenterKind, ErrorOut, PageQuery, Text, errors

router = Router(tags=["campaigns"])

CampaignId = Annotated[int, Path(ge=1, le=2**63 - 1)]
IndicatorType = Literal["integer", "decimal", "boolean", "choice", "text"]
IndicatorSource = Literal[
    "",
    "usage:sessions",
    "usage:searches",
    "usage:investigations",
    "usage:requests",
    "registry:workstations",
    "registry:networks",
]
Value = int | float | bool | str | None


class IndicatorIn(BodyIn):
    name_ru: str
    name_en: Text = ""
    type: IndicatorType
    unit: Text = ""
    required: bool = True
    min_value: Decimal | None = None
    max_value: Decimal | None = None
    choices_ru: Text = Field("", description="For a choice: the choices in Russian, one a line.")
    choices_en: Text = Field("", description="The same choices in English, as many lines.")
    source: IndicatorSource = Field(
        "", description="A figure Libranet has for the center, shown beside the field."
    )


class CampaignIn(BodyIn):
    title_ru: str
    title_en: Text = ""
    period_start: datetime.date
    period_end: datetime.date
    coverage: Literal["all", "kinds", "regions"] = "all"
    kinds: list[CenterKind] = Field(default_factory=list, description="With coverage `kinds`.")
    regions: list[str] = Field(
        default_factory=list, description="ISO 3166-2 codes, with coverage `regions`."
    )
    opens_on: datetime.date
    deadline: datetime.date
    indicators: list[IndicatorIn] = Field(default_factory=list, max_length=100)


class AnswerIn(BodyIn):
    indicator: int = Field(description="The indicator's id.")
    value: Value = Field(
        description="A number, true/false (yes/no), one of the choices (in Russian or English) "
        "or text; null or empty leaves it unanswered."
    )


class ResponseIn(BodyIn):
    answers: list[AnswerIn] = Field(
        default_factory=list, description="Every answer; an indicator not given is left empty."
    )
    revision: int | None = Field(
        None,
        ge=1,
        description="The response's revision as read (GET); a save from an older one is "
        "refused with 409 and the differences. Null skips the check.",
    )
    submit: bool = Field(
        False, description="Submit (every required answer needed); else a draft is saved."
    )


class IndicatorOut(Schema):
    id: int
    position: int
    name_ru: str
    name_en: str
    type: IndicatorType
    unit: str
    required: bool
    min_value: Decimal | None
    max_value: Decimal | None
    choices_ru: list[str]
    choices_en: list[str]
    source: str


class AnswerOut(Schema):
    indicator: int
    value: Value


class ResponseOut(Schema):
    center: str = Field(description="The center's code.")
    state: Literal["draft", "submitted"]
    submitted_at: datetime.datetime | None
    reopened_until: datetime.date | None
    revision: int
    answers: list[AnswerOut]


class CampaignOut(Schema):
    id: int
    title_ru: str
    title_en: str
    period_start: datetime.date
    period_end: datetime.date
    coverage: str
    kinds: list[str]
    regions: list[str]
    opens_on: datetime.date
    deadline: datetime.date
    state: Literal["draft", "open"]
    phase: Literal["draft", "scheduled", "open", "closed"] = Field(
        description="Where it stands today: a draft, opening later, taking answers, closed."
    )
    results_sent_at: datetime.datetime | None
    copied_from: int | None
    revision: int
    indicators: list[IndicatorOut]
    responses: list[ResponseOut] = Field(
        description="The responses of the centers in the caller's scope, with their answers."
    )


class CampaignPage(Schema):
    count: int
    items: list[CampaignOut]


class DifferenceOut(Schema):
    field: str
    label: str
    stored: Any = Field(description="What the other person saved.")
    submitted: Any = Field(description="What this save would have written.")


class ConflictOut(ErrorOut):
    revision: int = Field(description="The response's revision now: read it again.")
    differences: list[DifferenceOut]


def _lines(text: str) -> list[str]:
    return [line.strip() for line in text.splitlines() if line.strip()]


def _value(answer: Answer) -> Value:
    if answer.flag is not None:
        return answer.flag
    if answer.number is not None:
        number = answer.number
        return int(number) if answer.indicator.type == Indicator.Type.INTEGER else float(number)
    return answer.text


def _response_out(response: Response, indicators: dict[int, Indicator]) -> dict[str, Any]:
    answers = []
    for answer in response.answers.all():
        answer.indicator = indicators[answer.indicator_id]
        answers.append({"indicator": answer.indicator_id, "value": _value(answer)})
    return {
        "center": response.center.code,
        "state": response.state,
        "submitted_at": response.submitted_at,
        "reopened_until": response.reopened_until,
        "revision": response.revision,
        "answers": answers,
    }


def _campaign_out(campaign: Campaign, scope: set[int], today: datetime.date) -> dict[str, Any]:
    indicators = {i.pk: i for i in campaign.indicators.all()}
    return {
        **{
            name: getattr(campaign, name)
            for name in (
                "id",
                "title_ru",
                "title_en",
                "period_start",
                "period_end",
                "coverage",
                "kinds",
                "opens_on",
                "deadline",
                "state",
                "results_sent_at",
                "revision",
            )
        },
        "copied_from": campaign.copied_from_id,
        "regions": sorted(r.code for r in campaign.regions.all()),
        "phase": campaign.phase(today),
        "indicators": [
            {
                **{
                    n: getattr(i, n)
                    for n in (
                        "id",
                        "position",
                        "name_ru",
                        "name_en",
                        "type",
                        "unit",
                        "required",
                        "min_value",
                        "max_value",
                        "source",
                    )
                },
                "choices_ru": _lines(i.choices_ru),
                "choices_en": _lines(i.choices_en),
            }
            for i in indicators.values()
        ],
        "responses": [
            _response_out(r, indicators) for r in campaign.responses.all() if r.center_id in scope
        ],
    }


def _campaigns(user: Any) -> Any:
    return campaigns_for(user).prefetch_related(
        "indicators",
        Prefetch(
            "responses",
            queryset=Response.objects.select_related("center")
            .prefetch_related("answers")
            .order_by("center__code"),
        ),
    )


def _scope(user: Any) -> set[int]:
    return set(campaign_centers_for(user).values_list("pk", flat=True))


@router.get(
    "/campaigns",
    auth=WRITE_AUTH,
    response={200: CampaignPage},
    summary="List monitoring campaigns",
)
def list_campaigns(request: HttpRequest, page: Query[PageQuery]):
    """The campaigns the caller sees (the department: all; others: those opened that ask a
    center in their scope), latest first, each with its indicators and the responses of the
    centers in the caller's scope."""
    user = request.auth
    queryset = _campaigns(user)
    today, scope = timezone.localdate(), _scope(user)
    items = queryset[page.offset : page.offset + page.limit]
    return {"count": queryset.count(), "items": [_campaign_out(c, scope, today) for c in items]}


def _get_campaign(user: Any, campaign_id: int) -> Campaign:
    campaign = _campaigns(user).filter(pk=campaign_id).first()
    if campaign is None:
        raise HttpError(404, _("There is no campaign with id {id}.").format(id=campaign_id))
    return campaign


@router.get(
    "/campaigns/{campaign_id}",
    auth=WRITE_AUTH,
    response={200: CampaignOut},
    summary="Read a monitoring campaign",
    url_name="campaign_detail",
)
def read_campaign(request: HttpRequest, campaign_id: CampaignId):
    """One campaign with its indicators and the answers of the centers in the caller's scope."""
    user = request.auth
    return _campaign_out(_get_campaign(user, campaign_id), _scope(user), timezone.localdate())


@router.post(
    "/campaigns",
    auth=WRITE_AUTH,
    response={201: CampaignOut, **errors(403)},
    summary="Create a monitoring campaign",
)
def create_campaign(request: HttpRequest, payload: CampaignIn, response: HttpResponse):
    """A new campaign, a draft, with its indicators in the order given (the network
    department); it is opened in the back office."""
    user = request.auth
    require(user, Capability.MANAGE_CAMPAIGNS)
    data = payload.model_dump()
    codes = [code.strip().upper() for code in data.pop("regions")]
    regions = list(Region.objects.filter(code__in=codes))
    unknown = sorted(set(codes) - {r.code for r in regions})
    if unknown:
        raise CampaignError(
            {"regions": [_("Unknown regions: {codes}.").format(codes=", ".join(unknown))]}
        )
    indicators = data.pop("indicators")
    campaign = campaign_create(actor=user, regions=regions, indicators=indicators, **data)
    response["Location"] = reverse("api:campaign_detail", kwargs={"campaign_id": campaign.pk})
    campaign = _get_campaign(user, campaign.pk)
    return Status(201, _campaign_out(campaign, _scope(user), timezone.localdate()))


@router.put(
    "/campaigns/{campaign_id}/responses/{center_code}",
    auth=WRITE_AUTH,
    response={200: ResponseOut, 409: ConflictOut, **errors(403)},
    summary="Save or submit a center's answers",
)
def save_response(
    request: HttpRequest, campaign_id: CampaignId, center_code: str, payload: ResponseIn
):
    """Save a center's answers to a campaign as a draft, or submit them (`submit`). Refused
    (422) outside the campaign's dates for the center, with a value out of its bounds or of the
    wrong type (the field named `answers.<indicator id>`); 409 when the response changed since
    `revision`, with the differences; 403 for a center outside the caller's scope."""
    user = request.auth
    campaign = _get_campaign(user, campaign_id)
    code = center_code.strip().upper()
    center = Center.objects.filter(code=code).first()
    if center is None:
        raise HttpError(404, _("There is no center with code “{code}”.").format(code=code))
    require(user, Capability.ANSWER_CAMPAIGNS, center)
    answers: dict[int, Any] = {}
    for answer in payload.answers:
        answers[answer.indicator] = answer.value
    try:
        saved = response_save(
            actor=user,
            campaign=campaign,
            center=center,
            answers=answers,
            revision=payload.revision,
            submit=payload.submit,
        )
    except EditConflict as conflict:
        return Status(
            409,
            {
                "message": str(conflict.message),
                "revision": conflict.stored,
                "differences": [
                    {
                        "field": _request_name(d.field),
                        "label": d.label,
                        "stored": d.stored,
                        "submitted": d.submitted,
                    }
                    for d in conflict.differences
                ],
            },
        )
    except CampaignError as exc:
        raise CampaignError(
            {_request_name(name): messages for name, messages in exc.message_dict.items()}
        ) from exc
    saved = Response.objects.select_related("center").prefetch_related("answers").get(pk=saved.pk)
    return _response_out(saved, {i.pk: i for i in campaign.indicators.all()})


def _request_name(field: str) -> str:
    """A service's ``indicator_<id>`` as the request names it: ``answers.<id>``."""
    return (
        f"answers.{field.removeprefix('indicator_')}" if field.startswith("indicator_") else field
    )
