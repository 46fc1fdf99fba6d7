"""Usage statistics for machine clients: the monthly indicators and the zero-usage report, the
same figures as the pages under /<lang>/stats/ (both read ``libranet.usage.reports``), for the
centers in the caller's scope. COUNTER reports are at /sushi (SUSHI), not here."""

import datetime
from typing import Any, Literal

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema
from pydantic import field_validator

from libranet.dates import DateInputError, month_text, parse_month
from libranet.network.models import Center
from libranet.network.permissions import Capability, centers_for
from libranet.usage.reports import (
    Change,
    MonthlyIndicators,
    ZeroUsageReport,
    check_month,
    monthly_indicators,
    zero_usage,
)

from .auth import WRITE_AUTH, require
from .schemas import errors

router = Router(tags=["usage"])


class MonthQuery(Schema):
    # No "pattern" in the schema: white space around the month is accepted, as at every door.
    month: str = Field(
        description="The month, YYYY-MM in ASCII digits from 1000-01 to 9998-12; one whose "
        "first day is not over yet is refused.",
        examples=["2026-10"],
    )

    @field_validator("month")
    @classmethod
    def _month(cls, value: str) -> str:
        try:
            return month_text(check_month(parse_month(value, parameter="month")))
        except DateInputError as exc:
            raise ValueError(exc.reason) from exc

    def first_day(self) -> datetime.date:
        return parse_month(self.month, parameter="month")  # checked by the validator


class IndicatorsQuery(MonthQuery):
    by: Literal["center", "region", "district", "country"] = "center"


class ChangeOut(Schema):
    absolute: int
    percent: float | None


class IndicatorRowOut(Schema):
    key: str
    name: str
    values: dict[str, int]
    month_over_month: dict[str, ChangeOut]
    year_over_year: dict[str, ChangeOut]


class DaysCovered(Schema):
    """Which days of the month the figures cover: all of them once it is over; while it runs,
    its first day through yesterday (today's figures are not whole yet)."""

    month: str = Field(description="YYYY-MM")
    first_day: datetime.date
    last_day: datetime.date
    complete: bool = Field(description="false while the month is in progress")


class IndicatorsOut(DaysCovered):
    by: str
    indicators: list[str]
    rows: list[IndicatorRowOut]
    total: IndicatorRowOut


class CenterRef(Schema):
    code: str
    name: str


class ZeroUsageCenterOut(CenterRef):
    kind: str
    days_open: int
    values: dict[str, int]
    zero: list[str]


class ZeroUsageGroupOut(Schema):
    regional_center: CenterRef | None
    centers: list[ZeroUsageCenterOut]


class ZeroUsageOut(DaysCovered):
    indicators: list[str]
    centers_judged: int
    groups: list[ZeroUsageGroupOut]


def _scope(request: HttpRequest) -> Any:
    user = request.auth  # type: ignore[attr-defined]
    require(user, Capability.VIEW_USAGE)
    return centers_for(user, Capability.VIEW_USAGE)


def _days_covered(report: MonthlyIndicators | ZeroUsageReport) -> dict[str, Any]:
    return {
        "month": month_text(report.month),
        "first_day": report.month,
        "last_day": report.last_day,
        "complete": report.complete,
    }


def _change(change: Change) -> dict[str, Any]:
    return {"absolute": change.absolute, "percent": change.percent}


def _center(center: Center) -> dict[str, str]:
    return {"code": center.code, "name": center.name}


@router.get(
    "/usage/indicators",
    auth=WRITE_AUTH,
    response={200: IndicatorsOut, **errors(403)},
    summary="Monthly usage indicators",
)
def indicators(request: HttpRequest, query: Query[IndicatorsQuery]) -> dict[str, Any]:
    """A month's indicators (sessions, searches, investigations, requests, denials) per center,
    region, federal district or country of the caller's scope, with the change from the month
    before and from the same month a year before (``percent`` null when the base is zero)."""
    scope = _scope(request)
    report = monthly_indicators(month=query.first_day(), by=query.by, centers=scope)

    def row(r: Any) -> dict[str, Any]:
        return {
            "key": r.key,
            "name": r.name,
            "values": {c.metric.label: c.value for c in r.cells},
            "month_over_month": {c.metric.label: _change(c.month_over_month) for c in r.cells},
            "year_over_year": {c.metric.label: _change(c.year_over_year) for c in r.cells},
        }

    return {
        **_days_covered(report),
        "by": report.by,
        "indicators": [m.label for m in report.indicators],
        "rows": [row(r) for r in report.rows],
        "total": row(report.total),
    }


@router.get(
    "/usage/zero-usage",
    auth=WRITE_AUTH,
    response={200: ZeroUsageOut, **errors(403)},
    summary="Centers with zero usage in a month",
)
def zero_usage_report(request: HttpRequest, query: Query[MonthQuery]) -> dict[str, Any]:
    """The centers of the caller's scope that were open during the month and recorded zero of
    an indicator (the setting ``LIBRANET_ZERO_USAGE_INDICATORS``) over the days they were
    open, grouped by their coordinating regional center."""
    report = zero_usage(month=query.first_day(), centers=_scope(request))
    return {
        **_days_covered(report),
        "indicators": [m.label for m in report.indicators],
        "centers_judged": report.centers_judged,
        "groups": [
            {
                "regional_center": _center(g.regional_center) if g.regional_center else None,
                "centers": [
                    {
                        **_center(r.center),
                        "kind": r.center.kind,
                        "days_open": r.days_open,
                        "values": {m.label: v for m, v in r.values.items()},
                        "zero": [m.label for m in r.zero],
                    }
                    for r in g.rows
                ],
            }
            for g in report.groups
        ],
    }
