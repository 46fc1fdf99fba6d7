"""The back office's pages of meetings and resolutions (under /<lang>/office/meetings/)."""

from django.urls import path

from . import views

app_name = "meetings"
urlpatterns = [
    path("", views.meeting_list, name="list"),
    path("new/", views.meeting_new, name="new"),
    path("<int:pk>/", views.meeting_edit, name="edit"),
    path("<int:pk>/publish/", views.meeting_publish, name="publish"),
    path("<int:pk>/sessions/new/", views.session_new, name="session_new"),
    path("sessions/<int:pk>/", views.session_edit, name="session_edit"),
    path("<int:pk>/resolution/", views.resolution, name="resolution"),
    path("<int:pk>/resolution/edit/", views.resolution_edit, name="resolution_edit"),
    path("<int:pk>/resolution/decisions/new/", views.decision_new, name="decision_new"),
    path("decisions/<int:pk>/", views.decision_edit, name="decision_edit"),
    path("decisions/<int:pk>/issue/", views.decision_issue, name="decision_issue"),
    path("tasks/late/", views.late_tasks, name="late_tasks"),
    path("tasks/by-center/", views.center_progress, name="center_progress"),
    path("tasks/<int:pk>/", views.task, name="task"),
    path("tasks/<int:pk>/file/", views.task_file, name="task_file"),
]
