"""Every change to a monitoring campaign and its answers, with its rules: the back office, the
API, the commands and the demo all call these. Each checks the acting user's role (None is the
system: a command, the demo), validates everything before writing anything, writes in one
transaction with its audit row, and raises ``CampaignError`` (a ``ValidationError`` by field)
for bad input, ``PermissionDenied`` beyond the role, ``EditConflict`` for a stale copy."""

import datetime
from collections.abc import Iterable, Mapping, Sequence
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from libranet.audit.services import audit_record
from libranet.network.models import Center, Region
from libranet.network.permissions import Capability, can, can_answer_campaign
from libranet.revisions import revision_bump, revision_check
from libranet.usage.reports import add_months

from .models import Answer, Campaign, Indicator, Response
from .selectors import campaign_covers

CAMPAIGN_FIELDS = (
    "title_ru",
    "title_en",
    "period_start",
    "period_end",
    "coverage",
    "kinds",
    "opens_on",
    "deadline",
)
INDICATOR_FIELDS = (
    "name_ru",
    "name_en",
    "type",
    "unit",
    "required",
    "min_value",
    "max_value",
    "choices_ru",
    "choices_en",
    "source",
)
# Once a campaign is open its questions are fixed (answers refer to them); its title may be
# corrected and its deadline moved.
OPEN_EDITABLE = ("title_ru", "title_en", "deadline")
TEXT_MAX = 5000
YES = {"yes", "да", "true", "1", "y", "д"}
NO = {"no", "нет", "false", "0", "n", "н"}


class CampaignError(ValidationError):
    """A rule of monitoring campaigns was broken; messages by field."""


def _today() -> datetime.date:
    return timezone.localdate()


def _date_text(day: datetime.date) -> str:
    return formats.date_format(day, "DATE_FORMAT")


def require_manager(actor: Any) -> None:
    if actor is not None and not can(actor, Capability.MANAGE_CAMPAIGNS):
        raise PermissionDenied(_("Your role does not allow managing monitoring campaigns."))


def _require_answerer(actor: Any, center: Center) -> None:
    if actor is not None and not can_answer_campaign(actor, center):
        raise PermissionDenied(
            _("Your role does not allow answering for center {code}.").format(code=center.code)
        )


# --- campaigns ---------------------------------------------------------------------------------


def _campaign_errors(campaign: Campaign, regions: list[Region]) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    try:
        campaign.full_clean(exclude=["regions", "kinds"])
    except ValidationError as exc:
        errors.update(exc.message_dict)
    if errors:
        return errors
    if campaign.period_end < campaign.period_start:
        errors["period_end"] = [_("The period cannot end before it starts.")]
    if campaign.deadline < campaign.opens_on:
        errors["deadline"] = [_("The deadline cannot come before the opening date.")]
    kinds = campaign.kinds if isinstance(campaign.kinds, list) else []
    if any(kind not in Center.Kind.values for kind in kinds):
        errors["kinds"] = [_("Choose kinds of centers from the list.")]
    if campaign.coverage == Campaign.Coverage.KINDS and not kinds:
        errors["kinds"] = [_("Choose at least one kind of center.")]
    if campaign.coverage == Campaign.Coverage.REGIONS and not regions:
        errors["regions"] = [_("Choose at least one region.")]
    return errors


def _indicator_errors(indicator: Indicator) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    try:
        indicator.full_clean(exclude=["campaign", "position"])
    except ValidationError as exc:
        errors.update(exc.message_dict)
    if errors:
        return errors
    low, high = indicator.min_value, indicator.max_value
    if not indicator.is_numeric and (low is not None or high is not None):
        errors["min_value"] = [_("Only numbers have bounds.")]
    elif low is not None and high is not None and low > high:
        errors["max_value"] = [_("The largest value cannot be below the smallest.")]
    if indicator.source and not indicator.is_numeric:
        errors["source"] = [_("Libranet's figures are numbers: choose a numeric type.")]
    russian = [c for c in indicator.choices_ru.splitlines() if c.strip()]
    english = [c for c in indicator.choices_en.splitlines() if c.strip()]
    if indicator.type == Indicator.Type.CHOICE:
        if len(russian) < 2:
            errors["choices_ru"] = [_("Give at least two choices, one a line.")]
        elif english and len(english) != len(russian):
            errors["choices_en"] = [_("Give as many English choices as Russian ones.")]
        elif len(set(russian)) != len(russian):
            errors["choices_ru"] = [_("Each choice must be different.")]
    elif russian or english:
        errors["choices_ru"] = [_("Only a choice has choices.")]
    return errors


def _built_indicators(
    campaign: Campaign, indicators: Sequence[Mapping[str, Any]]
) -> tuple[list[Indicator], dict[str, list[str]]]:
    """The campaign's indicators as given (updated in place where an ``id`` names one of the
    campaign's), unsaved, with their errors as ``indicators.<index>.<field>``."""
    existing = {i.pk: i for i in campaign.indicators.all()} if campaign.pk else {}
    built: list[Indicator] = []
    errors: dict[str, list[str]] = {}
    for index, given in enumerate(indicators):
        indicator = existing.get(given.get("id") or 0) or Indicator(campaign=campaign)
        for name in INDICATOR_FIELDS:
            if name in given:
                value = given[name]
                if value is None and name not in ("min_value", "max_value"):
                    value = "" if name != "required" else False
                setattr(indicator, name, value)
        indicator.position = index + 1
        for name, messages in _indicator_errors(indicator).items():
            errors[f"indicators.{index}.{name}"] = messages
        built.append(indicator)
    return built, errors


def _save_indicators(campaign: Campaign, built: list[Indicator]) -> None:
    kept = [i.pk for i in built if i.pk]
    campaign.indicators.exclude(pk__in=kept).delete()
    for indicator in built:
        indicator.campaign = campaign
        indicator.save()


def _indicator_summary(built: Iterable[Indicator]) -> list[str]:
    return [f"{i.position}. {i.name_ru} ({i.type})" for i in built]


@transaction.atomic
def campaign_create(
    *,
    actor: Any,
    title_ru: str,
    period_start: datetime.date,
    period_end: datetime.date,
    opens_on: datetime.date,
    deadline: datetime.date,
    title_en: str = "",
    coverage: str = Campaign.Coverage.ALL,
    kinds: list[str] | None = None,
    regions: Iterable[Region] = (),
    indicators: Sequence[Mapping[str, Any]] = (),
    copied_from: Campaign | None = None,
) -> Campaign:
    """A new campaign, a draft, with its indicators in the order given."""
    require_manager(actor)
    regions = list(regions)
    campaign = Campaign(
        title_ru=title_ru,
        title_en=title_en or "",
        period_start=period_start,
        period_end=period_end,
        coverage=coverage,
        kinds=list(kinds or []),
        opens_on=opens_on,
        deadline=deadline,
        created_by=actor if getattr(actor, "pk", None) else None,
        copied_from=copied_from,
    )
    errors = _campaign_errors(campaign, regions)
    built, indicator_errors = _built_indicators(campaign, list(indicators))
    errors.update(indicator_errors)
    if errors:
        raise CampaignError(errors)
    campaign.save()
    campaign.regions.set(regions)
    _save_indicators(campaign, built)
    audit_record(
        actor=actor,
        action="campaign.create",
        obj=campaign,
        changes={
            "title_ru": [None, campaign.title_ru],
            "deadline": [None, campaign.deadline.isoformat()],
            "indicators": [None, _indicator_summary(built)],
        },
    )
    return campaign


@transaction.atomic
def campaign_update(
    *,
    actor: Any,
    campaign: Campaign,
    revision: int | None,
    regions: Iterable[Region] | None = None,
    indicators: Sequence[Mapping[str, Any]] | None = None,
    **fields: Any,
) -> Campaign:
    """Change a campaign: everything while it is a draft; once open, only its titles and its
    deadline (its questions are fixed: answers refer to them)."""
    require_manager(actor)
    unknown = set(fields) - set(CAMPAIGN_FIELDS)
    if unknown:
        raise TypeError(f"unknown campaign fields: {sorted(unknown)}")
    campaign = Campaign.objects.select_for_update().get(pk=campaign.pk)
    labels = {name: str(Campaign._meta.get_field(name).verbose_name) for name in fields}  # type: ignore[union-attr]
    revision_check(campaign, revision, fields, labels)
    is_draft = campaign.state == Campaign.State.DRAFT
    errors: dict[str, list[str]] = {}
    if not is_draft:
        for name, value in fields.items():
            if name not in OPEN_EDITABLE and value != getattr(campaign, name):
                errors[name] = [_("This cannot change once the campaign is open.")]
        if regions is not None and set(regions) != set(campaign.regions.all()):
            errors["regions"] = [_("This cannot change once the campaign is open.")]
        if indicators is not None:
            errors["indicators"] = [_("The indicators cannot change once the campaign is open.")]
        if errors:
            raise CampaignError(errors)
    before = {name: getattr(campaign, name) for name in fields}
    for name, value in fields.items():
        setattr(campaign, name, value)
    region_list = list(regions) if regions is not None else list(campaign.regions.all())
    errors = _campaign_errors(campaign, region_list)
    built: list[Indicator] = []
    if indicators is not None:
        built, indicator_errors = _built_indicators(campaign, indicators)
        errors.update(indicator_errors)
    if errors:
        raise CampaignError(errors)
    revision_bump(campaign)
    if regions is not None:
        campaign.regions.set(region_list)
    changes = {
        name: [_plain(before[name]), _plain(value)]
        for name, value in fields.items()
        if before[name] != value
    }
    if indicators is not None:
        _save_indicators(campaign, built)
        changes["indicators"] = [None, _indicator_summary(built)]
    audit_record(actor=actor, action="campaign.update", obj=campaign, changes=changes)
    return campaign


def _plain(value: Any) -> Any:
    return value.isoformat() if isinstance(value, datetime.date) else value


@transaction.atomic
def campaign_open(*, actor: Any, campaign: Campaign) -> Campaign:
    """Open a draft: from its opening date the centers it covers may answer until the deadline."""
    require_manager(actor)
    campaign = Campaign.objects.select_for_update().get(pk=campaign.pk)
    if campaign.state != Campaign.State.DRAFT:
        raise CampaignError({"state": [_("The campaign is open already.")]})
    if not campaign.indicators.exists():
        raise CampaignError({"indicators": [_("Give the campaign at least one indicator.")]})
    if campaign.deadline < _today():
        raise CampaignError(
            {"deadline": [_("The deadline has passed: move it before opening the campaign.")]}
        )
    campaign.state = Campaign.State.OPEN
    revision_bump(campaign, update_fields=["state"])
    audit_record(
        actor=actor, action="campaign.open", obj=campaign, changes={"state": ["draft", "open"]}
    )
    return campaign


def shift_dates(campaign: Campaign) -> dict[str, datetime.date]:
    """The next period's dates: a period of whole months moves by that many months (a quarter
    to the next quarter), another by its length in days; the opening date and the deadline
    move with it."""
    start, end = campaign.period_start, campaign.period_end
    after = end + datetime.timedelta(days=1)
    months = (after.year - start.year) * 12 + after.month - start.month
    if start.day == 1 and after.day == 1 and months > 0:

        def move(day: datetime.date) -> datetime.date:
            moved = add_months(day.replace(day=1), months)
            last = add_months(moved, 1) - datetime.timedelta(days=1)
            return moved.replace(day=min(day.day, last.day))

        return {
            "period_start": move(start),
            "period_end": add_months(after, months) - datetime.timedelta(days=1),
            "opens_on": move(campaign.opens_on),
            "deadline": move(campaign.deadline),
        }
    length = after - start
    return {
        "period_start": start + length,
        "period_end": end + length,
        "opens_on": campaign.opens_on + length,
        "deadline": campaign.deadline + length,
    }


@transaction.atomic
def campaign_copy(*, actor: Any, source: Campaign) -> Campaign:
    """A new draft like ``source``: its coverage and indicators, its dates moved to the next
    period (``shift_dates``)."""
    require_manager(actor)
    campaign = campaign_create(
        actor=actor,
        title_ru=source.title_ru,
        title_en=source.title_en,
        coverage=source.coverage,
        kinds=list(source.kinds),
        regions=source.regions.all(),
        indicators=[
            {name: getattr(i, name) for name in INDICATOR_FIELDS} for i in source.indicators.all()
        ],
        copied_from=source,
        **shift_dates(source),
    )
    audit_record(
        actor=actor,
        action="campaign.copy",
        obj=campaign,
        changes={"copied_from": [None, str(source.pk)]},
    )
    return campaign


# --- answers -------------------------------------------------------------------------------


def answer_field(indicator: Indicator) -> str:
    """The name of an indicator's answer in forms and in errors."""
    return f"indicator_{indicator.pk}"


def _number(indicator: Indicator, raw: Any) -> Decimal:
    whole = indicator.type == Indicator.Type.INTEGER
    wrong = (_("{name}: give a whole number.") if whole else _("{name}: give a number.")).format(
        name=indicator.name
    )
    if isinstance(raw, bool):
        raise ValueError(wrong)
    text = str(raw).strip().replace("\u00a0", "").replace(" ", "").replace(",", ".")
    try:
        value = Decimal(text)
    except InvalidOperation:
        raise ValueError(wrong) from None
    if not value.is_finite() or (whole and value != value.to_integral_value()):
        raise ValueError(wrong)
    if abs(value) >= Decimal(10) ** 14 or value.as_tuple().exponent < -4:  # type: ignore[operator]
        raise ValueError(
            _("{name}: at most 14 digits before the point and 4 after it.").format(
                name=indicator.name
            )
        )
    if indicator.min_value is not None and value < indicator.min_value:
        raise ValueError(
            _("{name}: the value must be at least {bound}.").format(
                name=indicator.name, bound=formats.number_format(indicator.min_value.normalize())
            )
        )
    if indicator.max_value is not None and value > indicator.max_value:
        raise ValueError(
            _("{name}: the value must be at most {bound}.").format(
                name=indicator.name, bound=formats.number_format(indicator.max_value.normalize())
            )
        )
    return value.quantize(Decimal(1)) if whole else value


def parse_answer(indicator: Indicator, raw: Any) -> Answer | None:
    """An indicator's answer from what a form or the API gave (text, a number, true/false),
    unsaved; None when empty; ``ValueError`` with a message naming the indicator if wrong."""
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        return None
    answer = Answer(indicator=indicator)
    if indicator.is_numeric:
        answer.number = _number(indicator, raw)
        answer.text = format(answer.number.normalize(), "f")
    elif indicator.type == Indicator.Type.BOOLEAN:
        word = str(raw).strip().lower() if not isinstance(raw, bool) else ""
        if raw is True or word in YES:
            answer.flag, answer.text = True, "yes"
        elif raw is False or word in NO:
            answer.flag, answer.text = False, "no"
        else:
            raise ValueError(_("{name}: answer yes or no.").format(name=indicator.name))
    elif indicator.type == Indicator.Type.CHOICE:
        text = str(raw).strip()
        stored = next(
            (value for value, label in _all_choices(indicator) if text in (value, label)), None
        )
        if stored is None:
            raise ValueError(_("{name}: choose one of the choices.").format(name=indicator.name))
        answer.text = stored
    else:
        answer.text = str(raw).strip()
        if len(answer.text) > TEXT_MAX:
            raise ValueError(
                _("{name}: at most {count} characters.").format(name=indicator.name, count=TEXT_MAX)
            )
    return answer


def _all_choices(indicator: Indicator) -> list[tuple[str, str]]:
    russian = [c.strip() for c in indicator.choices_ru.splitlines() if c.strip()]
    english = [c.strip() for c in indicator.choices_en.splitlines() if c.strip()]
    if len(english) != len(russian):
        english = russian
    return list(zip(russian, english, strict=True))


def answer_deadline(campaign: Campaign, response: Response | None) -> datetime.date:
    """The last day answers are taken for this center: the deadline, or the day the department
    reopened its response until."""
    reopened = response.reopened_until if response is not None else None
    return max(campaign.deadline, reopened) if reopened else campaign.deadline


def check_answerable(
    campaign: Campaign, center: Center, response: Response | None, today: datetime.date
) -> None:
    """Refuse answers to a campaign that does not take them from this center today."""
    if not campaign_covers(campaign, center):
        raise CampaignError(
            {"center": [_("The campaign does not cover center {code}.").format(code=center.code)]}
        )
    if campaign.state == Campaign.State.DRAFT:
        raise CampaignError({"state": [_("The campaign is not open yet.")]})
    if today < campaign.opens_on:
        raise CampaignError(
            {
                "opens_on": [
                    _("The campaign opens on {day}.").format(day=_date_text(campaign.opens_on))
                ]
            }
        )
    if today > answer_deadline(campaign, response):
        raise CampaignError(
            {
                "deadline": [
                    _(
                        "The deadline was {day}; ask the network department to reopen the form."
                    ).format(day=_date_text(answer_deadline(campaign, response)))
                ]
            }
        )


@transaction.atomic
def response_save(
    *,
    actor: Any,
    campaign: Campaign,
    center: Center,
    answers: Mapping[int, Any],
    revision: int | None,
    submit: bool = False,
) -> Response:
    """Save a center's answers (``answers``: indicator id → what was entered; every indicator
    not given is left empty). A draft keeps what is valid so far; ``submit`` needs every required
    answer. A submitted response stays submitted: each later save is a correction, checked as
    a submission. Refused outside the campaign's dates for this center, and from a stale copy
    (``revision``: the response's revision the form was shown; None skips the check)."""
    _require_answerer(actor, center)
    today = _today()
    response, created = Response.objects.select_for_update().get_or_create(
        campaign=campaign, center=center
    )
    check_answerable(campaign, center, response, today)
    indicators = list(campaign.indicators.all())
    by_id = {i.pk: i for i in indicators}
    errors: dict[str, list[str]] = {}
    unknown = [str(key) for key in answers if key not in by_id]
    if unknown:
        errors["answers"] = [
            _("Unknown indicators for this campaign: {ids}.").format(ids=", ".join(unknown))
        ]
    stored = {a.indicator_id: a for a in response.answers.all()}
    parsed: dict[int, Answer | None] = {}
    for indicator in indicators:
        try:
            parsed[indicator.pk] = parse_answer(indicator, answers.get(indicator.pk))
        except ValueError as exc:
            errors[answer_field(indicator)] = [str(exc)]
    submitting = submit or response.state == Response.State.SUBMITTED
    if submitting:
        for indicator in indicators:
            if indicator.required and indicator.pk in parsed and parsed[indicator.pk] is None:
                errors[answer_field(indicator)] = [
                    _("{name}: an answer is required to submit.").format(name=indicator.name)
                ]
    if errors:
        raise CampaignError(errors)

    def text_of(answer: Answer | None) -> str:
        return answer.text if answer is not None else ""

    revision_check(
        response,
        None if created else revision,
        {answer_field(i): text_of(parsed[i.pk]) for i in indicators},
        {answer_field(i): i.name for i in indicators},
        stored_values={answer_field(i): text_of(stored.get(i.pk)) for i in indicators},
    )
    changes: dict[str, Any] = {}
    for indicator in indicators:
        old, new = stored.get(indicator.pk), parsed[indicator.pk]
        if text_of(old) == text_of(new):
            continue
        changes[indicator.name_ru] = [text_of(old) or None, text_of(new) or None]
        if new is None:
            old.delete()  # type: ignore[union-attr]
        else:
            if old is not None:
                new.pk = old.pk
            new.response = response
            new.save()
    action = "campaign.response_save"
    if submitting:
        if response.state != Response.State.SUBMITTED:
            changes["state"] = [response.state, Response.State.SUBMITTED.value]
            action = "campaign.response_submit"
        response.state = Response.State.SUBMITTED
        response.submitted_at = timezone.now()
        response.submitted_by = actor if getattr(actor, "pk", None) else None
    revision_bump(response)
    audit_record(actor=actor, action=action, obj=response, changes=changes)
    return response


@transaction.atomic
def response_reopen(
    *, actor: Any, campaign: Campaign, center: Center, until: datetime.date
) -> Response:
    """Let a center answer (again) after the deadline, through ``until`` (the department's)."""
    require_manager(actor)
    if campaign.state == Campaign.State.DRAFT:
        raise CampaignError({"state": [_("The campaign is not open yet.")]})
    if not campaign_covers(campaign, center):
        raise CampaignError(
            {"center": [_("The campaign does not cover center {code}.").format(code=center.code)]}
        )
    if until < _today() or until <= campaign.deadline:
        raise CampaignError(
            {"until": [_("Reopen until a day after the deadline, today or later.")]}
        )
    response, _created = Response.objects.select_for_update().get_or_create(
        campaign=campaign, center=center
    )
    before = response.reopened_until
    response.reopened_until = until
    revision_bump(response, update_fields=["reopened_until"])
    audit_record(
        actor=actor,
        action="campaign.response_reopen",
        obj=response,
        changes={"reopened_until": [_plain(before) if before else None, until.isoformat()]},
    )
    return response
