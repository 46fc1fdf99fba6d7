from django.urls import path

from . import views

app_name = "campaigns"
urlpatterns = [
    path("", views.campaign_list, name="list"),
    path("new/", views.campaign_new, name="new"),
    path("<int:pk>/", views.campaign_detail, name="detail"),
    path("<int:pk>/edit/", views.campaign_edit, name="edit"),
    path("<int:pk>/open/", views.campaign_open_view, name="open"),
    path("<int:pk>/copy/", views.campaign_copy_view, name="copy"),
    path("<int:pk>/results/", views.campaign_results_page, name="results"),
    path("<int:pk>/results.<str:fmt>", views.campaign_results_download, name="results_download"),
    path("<int:pk>/send-results/", views.campaign_send_results, name="send_results"),
    path("<int:pk>/centers/<str:code>/", views.response_form, name="response"),
    path("<int:pk>/centers/<str:code>/reopen/", views.response_reopen_view, name="reopen"),
]
