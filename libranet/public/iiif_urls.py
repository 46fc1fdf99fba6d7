"""IIIF addresses: fixed, without a language prefix (``/iiif/...``)."""

from django.urls import path

from . import iiif

urlpatterns = [
    path("image/<int:file_id>", iiif.image_base, name="iiif_image_base"),
    path("image/<int:file_id>/info.json", iiif.image_info, name="iiif_image_info"),
    path(
        "image/<int:file_id>/<str:region>/<str:size>/<str:rotation>/<str:quality_format>",
        iiif.image,
        name="iiif_image",
    ),
    path("<path:identifier>/manifest.json", iiif.manifest, name="iiif_manifest"),
]
