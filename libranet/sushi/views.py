"""The COUNTER API 5.1: thin views over ``libranet.usage.counter`` and its credentials.

A request that cannot be answered gets one COUNTER exception in JSON with the HTTP status of
Appendix D. A path that names no report of this service is Exception 3000 (Report Not
Supported) with the 404 the Code of Practice asks for a wrong path; errors raised before a view
(an unknown path, a wrong method, an unreadable request) are COUNTER exceptions too
(``libranet.doors``).
"""

import logging
from collections.abc import Callable
from functools import wraps
from typing import Any

from django.db import DatabaseError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_safe

from libranet.usage import counter, counter_tabular
from libranet.usage.credentials import sushi_authenticate, sushi_rate_limit

TABULAR = {
    "tsv": ("text/tab-separated-values; charset=utf-8", counter_tabular.write_tsv),
    "xlsx": (
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        counter_tabular.write_xlsx,
    ),
}


def _json(data: Any, status: int = 200) -> JsonResponse:
    return JsonResponse(data, status=status, safe=False, json_dumps_params={"ensure_ascii": False})


logger = logging.getLogger(__name__)


def _refused(exception: counter.CounterException) -> JsonResponse:
    response = _json(exception.as_json(), status=exception.http_status)
    if exception.retry_after is not None:
        response["Retry-After"] = str(exception.retry_after)
    return response


def _answers(view: Callable) -> Callable:
    """A COUNTER exception raised on the way is the answer; a database that fails (locked,
    gone, timed out) is Exception 1000 with 503, which tells harvesters to come back later."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        try:
            return view(request, *args, **kwargs)
        except counter.CounterException as exception:
            return _refused(exception)
        except DatabaseError:
            logger.exception("SUSHI request failed on the database: %s", request.path)
            return _refused(counter.CounterException(1000, "the database did not answer"))

    return wrapper


def _customer(request: HttpRequest) -> counter.Customer:
    """The customer the request may read, once its request is counted against the customer's
    rate limit (Exception 1020 past it)."""
    customer = sushi_authenticate(
        customer_id=request.GET.get("customer_id", ""),
        requestor_id=request.GET.get("requestor_id", ""),
        api_key=request.GET.get("api_key", ""),
    )
    sushi_rate_limit(customer=customer)
    return customer


@csrf_exempt  # a protocol for programs: a wrong method is a 405, never a CSRF 403
@require_safe
def status(request: HttpRequest) -> JsonResponse:
    return _json(counter.service_status())  # public, as the Code of Practice requires


@never_cache
@csrf_exempt
@require_safe
@_answers
def members(request: HttpRequest) -> JsonResponse:
    return _json(counter.member_list(_customer(request)))


@never_cache
@csrf_exempt
@require_safe
@_answers
def report_list(request: HttpRequest) -> JsonResponse:
    _customer(request)
    return _json(counter.report_list())


@never_cache
@csrf_exempt
@require_safe
@_answers
def report(request: HttpRequest, path: str, tabular: str = "") -> HttpResponse:
    kind = counter.REPORTS.get(path)
    if kind is None:
        offered = ", ".join(sorted(counter.REPORTS))
        raise counter.CounterException(
            3000, f"This service offers the reports {offered} (see /sushi/r51/reports)."
        )
    customer = _customer(request)
    answer = counter.build_report(kind, customer, request.GET)
    if not tabular:
        return _json(answer)
    content_type, write = TABULAR[tabular]
    period = answer["Report_Header"]["Report_Filters"]
    begin, end = period["Begin_Date"][:7], period["End_Date"][:7]
    name = f"{kind.report_id}_{customer.customer_id}_{begin}_{end}"
    return HttpResponse(
        write(answer),
        content_type=content_type,
        headers={"Content-Disposition": f'attachment; filename="{name}.{tabular}"'},
    )
