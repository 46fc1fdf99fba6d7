"""The form of the SUSHI credentials page: it parses input; the service checks it."""

import json

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from .forms import picker_attrs


class SushiCredentialForm(forms.Form):
    name = forms.CharField(
        label=_("Who uses it"),
        max_length=200,
        help_text=_(
            "The library or harvesting service that uses the credential (a note for staff)."
        ),
    )
    requestor_id = forms.CharField(
        label=_("Requestor ID"),
        max_length=100,
        help_text=_("What the harvester sends as requestor_id, such as its e-mail address."),
    )
    customer_id = forms.CharField(label=_("Customer"), max_length=32)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        library = settings.LIBRANET_SUSHI_LIBRARY_CUSTOMER_ID
        customer = self.fields["customer_id"]
        customer.help_text = _(
            "Type a center's name or code and pick it (a regional center's credential also "
            "reads the centers it coordinates), or pick the whole Library ({library}); without "
            "the list, type the code."
        ).format(library=library)
        whole = {
            "value": library,
            "text": _("The whole Library ({library})").format(library=library),
        }
        customer.widget.attrs.update(
            picker_attrs("picker_centers"), **{"data-picker-options": json.dumps([whole])}
        )
