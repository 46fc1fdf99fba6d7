"""The public site's news (under /<lang>/news/): the list, the feeds, the articles, covers."""

from django.urls import path

from . import feeds, public_views

app_name = "news"
urlpatterns = [
    path("", public_views.article_list, name="list"),
    path("feed.rss", feeds.NewsRss(), name="feed_rss"),
    path("feed.atom", feeds.NewsAtom(), name="feed_atom"),
    path("covers/<int:pk>/", public_views.article_cover, name="cover"),
    path(
        "covers/<int:pk>/thumbnail/",
        public_views.article_cover,
        {"thumbnail": True},
        name="cover_thumbnail",
    ),
    path("<str:key>/", public_views.article_detail, name="article"),
]
