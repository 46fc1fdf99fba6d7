from django.urls import translate_url

from libranet.network.permissions import is_staff_member


def site(request):
    """The language switcher's links (this same page in each language) and the staff flag."""
    from django.conf import settings

    path = request.get_full_path()
    return {
        "language_links": [
            (code, label, translate_url(path, code)) for code, label in settings.LANGUAGES
        ],
        "is_staff_member": is_staff_member(request.user) if hasattr(request, "user") else False,
    }
