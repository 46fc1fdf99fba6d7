"""The back office's forms of news: they read what was typed; the rules are the services'."""

from django import forms
from django.utils.translation import gettext_lazy as _

from libranet.backoffice.forms import GroupedForm
from libranet.events.forms import event_label
from libranet.network.models import Country, Region
from libranet.revisions import revision_field

from .models import Section

TEXT = forms.Textarea(attrs={"rows": 3})
BODY = forms.Textarea(attrs={"rows": 10})


class ArticleForm(GroupedForm):
    section = forms.ChoiceField(label=_("Section"), choices=Section.choices)
    slug = forms.SlugField(
        label=_("Address name"),
        max_length=100,
        required=False,
        help_text=_("Latin letters, digits and dashes; the article's number when empty."),
    )
    title_ru = forms.CharField(label=_("Title (Russian)"), max_length=300)
    title_en = forms.CharField(label=_("Title (English)"), max_length=300, required=False)
    lead_ru = forms.CharField(label=_("Lead (Russian)"), widget=TEXT, required=False)
    lead_en = forms.CharField(label=_("Lead (English)"), widget=TEXT, required=False)
    body_ru = forms.CharField(
        label=_("Text (Russian)"),
        widget=BODY,
        required=False,
        help_text=_("Paragraphs, emphasis, lists, quotes, headings and links are kept."),
    )
    body_en = forms.CharField(label=_("Text (English)"), widget=BODY, required=False)
    cover = forms.FileField(
        label=_("Cover image"), required=False, help_text=_("JPEG, PNG or WebP.")
    )
    centers = forms.ModelMultipleChoiceField(label=_("Centers"), queryset=None, required=False)
    regions = forms.ModelMultipleChoiceField(
        label=_("Regions"), queryset=Region.objects.order_by("name_ru"), required=False
    )
    countries = forms.ModelMultipleChoiceField(
        label=_("Countries"), queryset=Country.objects.order_by("name_ru"), required=False
    )
    events = forms.ModelMultipleChoiceField(
        label=_("Events"),
        queryset=None,
        required=False,
        help_text=_("Published events of the year before and after, and your centers' events."),
    )
    revision = revision_field()

    groups = (
        (_("Article"), ("section", "slug", "title_ru", "title_en", "lead_ru", "lead_en")),
        (_("Text"), ("body_ru", "body_en", "cover")),
        (_("What it is about"), ("centers", "regions", "countries", "events")),
    )

    def __init__(self, *args, centers=None, events=None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["centers"].queryset = centers
        self.fields["events"].queryset = events
        self.fields["events"].label_from_instance = event_label
        self.fields["revision"].required = False


class ReviewForm(forms.Form):
    comment = forms.CharField(
        label=_("Comment to the author"),
        widget=forms.Textarea(attrs={"rows": 4}),
        required=False,
        help_text=_("Required to return the article."),
    )
