"""The back office's pages of news (under /<lang>/office/news/)."""

from django.urls import path

from . import views

app_name = "news"
urlpatterns = [
    path("", views.article_list, name="list"),
    path("new/", views.article_new, name="new"),
    path("<int:pk>/", views.article_edit, name="edit"),
    path("<int:pk>/submit/", views.article_submit, name="submit"),
    path("<int:pk>/review/", views.article_review, name="review"),
    path("<int:pk>/delete/", views.article_delete, name="delete"),
]
