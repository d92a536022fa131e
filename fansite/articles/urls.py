from django.urls import path

from . import views
from .feeds import ArticleFeed

app_name = "articles"

urlpatterns = [
    path("", views.article_list, name="article_list"),
    path("articles/feed/", ArticleFeed(), name="article_feed"),
    path("articles/tag/<slug:slug>/", views.tag_detail, name="tag_detail"),
    path("articles/<slug:slug>/", views.article_detail, name="article_detail"),
]
