"""The public site's pages of the annual meetings: the list of published ones and each one's
programme (dates, host, sessions with times and talks, participants, connection points)."""

from django.http import Http404
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from .selectors import meeting_by_key, published_meetings


@require_safe
def meeting_list(request):
    return render(
        request,
        "meetings/public/list.html",
        {"meetings": published_meetings(), "crumbs": [(_("Annual meetings"), None)]},
    )


@require_safe
def meeting_detail(request, key: str):
    meeting = meeting_by_key(published_meetings(), key)
    if meeting is None:
        raise Http404
    return render(
        request,
        "meetings/public/meeting.html",
        {
            "meeting": meeting,
            "crumbs": [
                (_("Annual meetings"), reverse("meetings_public:list")),
                (meeting.title, None),
            ],
        },
    )
