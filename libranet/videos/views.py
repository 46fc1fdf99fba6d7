"""The back office's pages of videos (under /<lang>/office/videos/): the list, the submit form,
a video's page with the department's decision; and the public video page."""

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_safe

from libranet.backoffice.access import office_capabilities, requires
from libranet.backoffice.forms import add_registry_errors
from libranet.backoffice.views import office_crumbs
from libranet.events.models import Event
from libranet.network.permissions import Capability, can, video_centers_for
from libranet.public.files import serve
from libranet.revisions import EditConflict

from . import selectors, services
from .forms import DecisionForm, PublishForm, VideoForm
from .models import Video, VideoState

C = Capability
PAGE_SIZE = 12


def _render(request: Any, template: str, context: dict[str, Any], status: int = 200) -> Any:
    context = {"caps": office_capabilities(request.user), **context}
    return render(request, f"videos/office/{template}", context, status=status)


def _list_crumb() -> tuple[str, str]:
    return (_("Video"), reverse("videos:list"))


@require_safe
@requires(C.SUBMIT_VIDEOS)
def video_list(request):
    videos = selectors.videos_for(request.user).order_by("-submitted_at", "-pk")
    state = request.GET.get("state", "")
    if state in VideoState.values:
        videos = videos.filter(state=state)
    page = Paginator(videos, 25).get_page(request.GET.get("page"))
    return _render(
        request,
        "videos.html",
        {
            "page": page,
            "videos": page.object_list,
            "states": VideoState.choices,
            "state": state,
            "query": f"state={state}" if state else "",
            "crumbs": office_crumbs((_("Video"), None)),
        },
    )


@require_http_methods(["GET", "HEAD", "POST"])
@requires(C.SUBMIT_VIDEOS)
def video_new(request):
    centers = video_centers_for(request.user).order_by("code")
    events = selectors.events_to_film(request.user)
    initial = {}
    if request.GET.get("event", "").isdigit():
        # The event the video is started from, whatever its date, if its center is one's own.
        own = Event.objects.filter(pk=int(request.GET["event"]), centers__in=centers)
        started = Event.objects.filter(pk__in=own.values("pk"))
        events = events | started
        initial = _of_event(started.first(), centers)
    form = VideoForm(
        request.POST or None,
        request.FILES or None,
        initial=initial,
        centers=centers,
        events=events,
    )
    status = 200
    if request.method == "POST":
        if form.is_valid():
            data = form.cleaned_data
            try:
                video = services.submit_video(
                    actor=request.user,
                    center=data["center"],
                    title_ru=data["title_ru"],
                    title_en=data["title_en"],
                    description_ru=data["description_ru"],
                    description_en=data["description_en"],
                    link=data["link"],
                    upload=data["file"],
                    event=data["event"],
                    event_name=data["event_name"],
                    event_date=data["event_date"],
                    consent=data["consent"],
                    consent_note=data["consent_note"],
                )
            except ValidationError as exc:
                add_registry_errors(form, exc)
            else:
                messages.success(request, _("The video is submitted to the department."))
                return redirect("videos:video", pk=video.pk)
        status = 400
    return _render(
        request,
        "video_form.html",
        {"form": form, "crumbs": office_crumbs(_list_crumb(), (_("Submit a video"), None))},
        status=status,
    )


def _of_event(event: Any, centers: Any) -> dict[str, Any]:
    """A video of an event ("Submit its video" on the event's page): the event, its first
    organiser the user submits for, its titles."""
    if event is None:
        return {}
    return {
        "event": event,
        "center": centers.filter(pk__in=event.centers.values("pk")).first(),
        "title_ru": event.title_ru,
        "title_en": event.title_en,
    }


def _visible(request: Any, pk: int) -> Video:
    return get_object_or_404(selectors.videos_for(request.user), pk=pk)


@require_http_methods(["GET", "HEAD", "POST"])
@requires(C.SUBMIT_VIDEOS)
def video_detail(request, pk: int):
    """A video and, for the department, its decision (accept or decline) or its publication."""
    video = _visible(request, pk)
    decides = can(request.user, C.DECIDE_VIDEOS)
    decision = publish = None
    conflict = None
    status = 200
    if decides and video.state == VideoState.SUBMITTED:
        decision = DecisionForm(request.POST or None, initial={"revision": video.revision})
    if decides and video.state == VideoState.ACCEPTED:
        publish = PublishForm(request.POST or None, initial={"revision": video.revision})
    if request.method == "POST":
        form = decision or publish
        if form is None:
            raise PermissionDenied
        if form.is_valid():
            data = form.cleaned_data
            try:
                if decision is not None:
                    services.decide_video(
                        actor=request.user,
                        video=video,
                        accept=data["accept"],
                        comment=data["comment"],
                        revision=data["revision"],
                    )
                else:
                    services.publish_video(
                        actor=request.user,
                        video=video,
                        published_url=data["published_url"],
                        revision=data["revision"],
                    )
            except EditConflict as exc:
                conflict = exc
            except ValidationError as exc:
                add_registry_errors(form, exc)
            else:
                messages.success(request, _("The decision is saved."))
                return redirect("videos:video", pk=video.pk)
        status = 409 if conflict else 400
    return _render(
        request,
        "video.html",
        {
            "video": video,
            "decision": decision,
            "publish": publish,
            "conflict": conflict,
            "crumbs": office_crumbs(_list_crumb(), (video.title, None)),
        },
        status=status,
    )


@require_safe
def video_file(request, pk: int):
    """An uploaded video's file: to everyone once published, else to staff who see it; with
    byte ranges, so that the player seeks (``libranet.public.files.serve``)."""
    video = get_object_or_404(Video, pk=pk)
    if not video.file:
        raise Http404
    if video.state != VideoState.PUBLISHED and not (
        request.user.is_authenticated and selectors.videos_for(request.user).filter(pk=pk).exists()
    ):
        raise Http404
    published = video.state == VideoState.PUBLISHED
    return serve(
        request,
        name=video.file.name,
        content_type=video.file_type,
        cache_control="public, max-age=86400" if published else "private",
        fallback_modified=video.submitted_at,
    )


@require_safe
def public_videos(request):
    page = Paginator(selectors.published_videos(), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "videos/public/list.html",
        {"page": page, "videos": page.object_list, "crumbs": [(_("Video"), None)]},
    )
