from django.urls import include, path

from . import (
    account_views,
    audit_views,
    collection_views,
    import_views,
    mailing_views,
    pickers,
    resource_views,
    staff_views,
    sushi_views,
    token_views,
    views,
    worker_views,
    workstation_views,
)

app_name = "backoffice"
urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("meetings/", include("libranet.meetings.urls")),  # meetings, resolutions and tasks
    path("news/", include("libranet.news.urls")),  # news: writing, review, publishing
    path("centers/", views.centers, name="centers"),
    path("centers/new/", views.center_new, name="center_new"),
    path("centers/import/", views.center_import, name="center_import"),
    path("centers/export.csv", views.center_export_csv, name="center_export_csv"),
    path("centers/export.xlsx", views.center_export_xlsx, name="center_export_xlsx"),
    path("centers/<str:code>/edit/", views.center_edit, name="center_edit"),
    path("centers/<str:code>/status/", views.center_status, name="center_status"),
    path("resources/import/", resource_views.resource_import, name="resource_import"),
    path("imports/<int:pk>/", import_views.import_job, name="import_job"),
    path("collections/", collection_views.collections, name="collections"),
    path("collections/new/", collection_views.collection_new, name="collection_new"),
    path("collections/<slug:code>/edit/", collection_views.collection_edit, name="collection_edit"),
    path("institutions/", views.institutions, name="institutions"),
    path("institutions/new/", views.institution_new, name="institution_new"),
    path("institutions/<int:pk>/edit/", views.institution_edit, name="institution_edit"),
    path("regions/", views.regions, name="regions"),
    path("regions/<str:code>/edit/", views.region_edit, name="region_edit"),
    path("countries/", views.countries, name="countries"),
    path("countries/<str:code>/edit/", views.country_edit, name="country_edit"),
    path("tokens/", token_views.api_tokens, name="api_tokens"),
    path("tokens/<int:pk>/revoke/", token_views.api_token_revoke_view, name="api_token_revoke"),
    path("audit/", audit_views.audit_trail, name="audit"),
    # What the back office's pickers offer while one types, within one's scope.
    path("pickers/centers.json", pickers.centers_json, name="picker_centers"),
    path("pickers/institutions.json", pickers.institutions_json, name="picker_institutions"),
    path("pickers/regions.json", pickers.regions_json, name="picker_regions"),
    path("pickers/countries.json", pickers.countries_json, name="picker_countries"),
    # SUSHI credentials: issue (the key shown once), list, revoke.
    path("sushi/", sushi_views.sushi_credentials, name="sushi_credentials"),
    path(
        "sushi/<int:pk>/revoke/",
        sushi_views.sushi_credential_revoke_view,
        name="sushi_credential_revoke",
    ),
    # The mailings' delivery states and the outbox as a whole; resending one message.
    path("mailings/", mailing_views.mailings, name="mailings"),
    path("mailings/<str:month>/", mailing_views.mailing, name="mailing"),
    path("outbox/", mailing_views.outbox, name="outbox"),
    path("outbox/<int:pk>/resend/", mailing_views.outbox_resend, name="outbox_resend"),
    # The task worker: its heartbeats, the queue, recent failures.
    path("worker/", worker_views.task_worker, name="task_worker"),
    path("workstations/", workstation_views.workstations, name="workstations"),
    path(
        "workstations/<int:pk>/revoke/",
        workstation_views.workstation_revoke_view,
        name="workstation_revoke",
    ),
    path(
        "centers/<str:code>/workstations/",
        workstation_views.center_workstations,
        name="center_workstations",
    ),
    # The staff member's own account, and the staff in their scope.
    path("account/", account_views.account, name="account"),
    path("account/password/", account_views.account_password, name="account_password"),
    path("account/two-step/", account_views.account_totp, name="account_totp"),
    path("account/two-step/off/", account_views.account_totp_remove, name="account_totp_remove"),
    path(
        "account/sign-out-everywhere/",
        account_views.account_sign_out_everywhere,
        name="account_sign_out_everywhere",
    ),
    path("staff/", staff_views.staff, name="staff"),
    path("staff/invite/", staff_views.staff_invite, name="staff_invite"),
    path("staff/grant/", staff_views.staff_grant, name="staff_grant"),
    path(
        "staff/invitations/<int:pk>/revoke/",
        staff_views.staff_invitation_revoke,
        name="staff_invitation_revoke",
    ),
    path(
        "staff/invitations/<int:pk>/resend/",
        staff_views.staff_invitation_resend,
        name="staff_invitation_resend",
    ),
    path("staff/<int:pk>/name/", staff_views.staff_name, name="staff_name"),
    path(
        "staff/<int:pk>/deactivate/",
        staff_views.staff_deactivate_view,
        name="staff_deactivate",
    ),
    path(
        "staff/<int:pk>/reset-two-step/",
        staff_views.staff_second_factor_reset_view,
        name="staff_second_factor_reset",
    ),
]
