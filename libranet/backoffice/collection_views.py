"""The collection tree in the back office: the tree as a list, a new collection, and a
collection's edit form (its names, its description, its place in the tree).

Thin: the views call ``collection_create`` and ``collection_update``, which hold every rule
(a collection never goes under itself or under one of its own sub-collections; a move re-dates
the OAI-PMH records below it); a refusal comes back as form errors, never as a 500.
"""

from typing import Any, cast

from django import forms
from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_safe

from libranet.network.permissions import Capability
from libranet.resources.models import Collection
from libranet.resources.selectors import collection_resource_counts, collection_tree
from libranet.resources.services import ResourceError, collection_create, collection_update

from .access import requires
from .forms import GroupedForm, add_registry_errors
from .views import _render

GET_POST = require_http_methods(["GET", "HEAD", "POST"])
# What the form edits, by the services' names (the code only when the collection is made).
EDITED = ("name_ru", "name_en", "description_ru", "description_en", "parent", "position")


def _parent_choices(editing: Collection | None) -> list[tuple[str, str]]:
    """The tree as choices of a parent, indented; without the edited collection and what is
    below it, where it cannot go (the service refuses those too)."""
    choices = [("", _("None: at the top of the tree"))]
    for top in collection_tree():
        for node in top.walk():
            if editing is not None and editing.code in node.path:
                continue
            indent = "\u2003" * node.depth
            choices.append((node.collection.code, f"{indent}{node.collection.name}"))
    return choices


class CollectionForm(GroupedForm):
    code = forms.CharField(
        label=gettext_lazy("Code"),
        max_length=64,
        help_text=gettext_lazy(
            "Lowercase Latin letters, digits, hyphens and underscores, such as presidents. It "
            "is the collection's part of the OAI-PMH set spec and never changes."
        ),
    )
    name_ru = forms.CharField(label=gettext_lazy("Name (Russian)"), max_length=300)
    name_en = forms.CharField(label=gettext_lazy("Name (English)"), max_length=300, required=False)
    description_ru = forms.CharField(
        label=gettext_lazy("Description (Russian)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    description_en = forms.CharField(
        label=gettext_lazy("Description (English)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    parent = forms.ChoiceField(
        label=gettext_lazy("Parent collection"),
        required=False,
        help_text=gettext_lazy(
            "Moving a collection changes the set spec of it and of every collection below it: "
            "their resources get new OAI-PMH datestamps, so harvesters take them again."
        ),
    )
    position = forms.IntegerField(
        label=gettext_lazy("Position"),
        min_value=0,
        initial=0,
        help_text=gettext_lazy("Order among the collections of the same parent, from 0."),
    )

    groups = (
        (gettext_lazy("Collection"), ("code", "name_ru", "name_en")),
        (gettext_lazy("Description"), ("description_ru", "description_en")),
        (gettext_lazy("Place in the tree"), ("parent", "position")),
    )

    def __init__(self, *args: Any, editing: Collection | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["parent"]).choices = _parent_choices(editing)
        if editing is not None:
            del self.fields["code"]  # persistent: shown on the page, never edited

    @staticmethod
    def initial_for(collection: Collection) -> dict[str, Any]:
        initial = {name: getattr(collection, name) for name in EDITED if name != "parent"}
        initial["parent"] = collection.parent.code if collection.parent else ""
        return initial


@require_safe
@requires(Capability.EDIT_RESOURCES)
def collections(request):
    counts = collection_resource_counts()
    rows = [
        {
            "node": node,
            # Children under their parent, as the parent choices show them.
            "indent": "\u2003" * (node.depth - 1) + "\u2514\u2002" if node.depth else "",
            "spec": ":".join(node.path),
            "resources": counts.get(node.collection.pk, 0),
        }
        for top in collection_tree()
        for node in top.walk()
    ]
    return _render(request, "collections/list.html", {"rows": rows})


def _crumbs(title: str) -> list[tuple[str, str | None]]:
    return [(_("Collections"), reverse("backoffice:collections")), (title, None)]


@GET_POST
@requires(Capability.EDIT_RESOURCES)
def collection_new(request):
    form = CollectionForm(request.POST if request.method == "POST" else None)
    if form.is_bound and form.is_valid():
        data = form.cleaned_data
        try:
            parent = Collection.objects.filter(code=data["parent"]).first()
            collection = collection_create(
                actor=request.user,
                code=data["code"],
                name_ru=data["name_ru"],
                name_en=data["name_en"],
                description_ru=data["description_ru"],
                description_en=data["description_en"],
                parent=parent,
                position=data["position"],
            )
        except ResourceError as exc:
            add_registry_errors(form, exc)
        else:
            messages.success(
                request, _("Collection “{name}” is created.").format(name=collection.name)
            )
            return redirect("backoffice:collections")
    return _render(
        request,
        "collections/form.html",
        {"form": form, "collection": None, "crumbs": _crumbs(_("New collection"))},
    )


@GET_POST
@requires(Capability.EDIT_RESOURCES)
def collection_edit(request, code: str):
    collection = get_object_or_404(Collection.objects.select_related("parent"), code=code)
    form = CollectionForm(
        request.POST if request.method == "POST" else None,
        editing=collection,
        initial=CollectionForm.initial_for(collection),
    )
    if form.is_bound and form.is_valid():
        data = form.cleaned_data
        moved = data["parent"] != form.initial["parent"]
        try:
            collection = collection_update(
                actor=request.user,
                collection=collection,
                **{name: data[name] for name in EDITED},
            )
        except ResourceError as exc:
            add_registry_errors(form, exc)
        else:
            message = _("Collection “{name}” is saved.")
            if moved:
                message = _(
                    "Collection “{name}” is moved: the OAI-PMH records of its resources now carry "
                    "its new set spec and a new datestamp."
                )
            messages.success(request, message.format(name=collection.name))
            return redirect("backoffice:collections")
    return _render(
        request,
        "collections/form.html",
        {"form": form, "collection": collection, "crumbs": _crumbs(collection.name)},
    )
