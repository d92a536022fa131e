from django.urls import path

from . import views
from .feeds import BoardFeed, ThreadFeed

app_name = "threads"

urlpatterns = [
    path("boards/", views.board_list, name="board_list"),
    path("boards/<slug:slug>/", views.board_detail, name="board_detail"),
    path("boards/<slug:slug>/feed/", BoardFeed(), name="board_feed"),
    path("boards/<slug:slug>/new/", views.thread_create, name="thread_create"),
    path("boards/<slug:slug>/read/", views.board_mark_read, name="board_mark_read"),
    path("threads/<int:pk>/", views.thread_detail, name="thread_detail"),
    path("threads/<int:pk>/edit/", views.thread_edit, name="thread_edit"),
    path("threads/<int:pk>/unread/", views.thread_unread, name="thread_unread"),
    path("threads/<int:pk>/latest/", views.thread_latest, name="thread_latest"),
    path("threads/<int:pk>/feed/", ThreadFeed(), name="thread_feed"),
]
