from django.urls import path

from . import views

app_name = "comments"

urlpatterns = [
    path(
        "comments/new/<slug:kind>/<int:pk>/",
        views.comment_create,
        name="comment_create",
    ),
    path("comments/preview/", views.comment_preview, name="comment_preview"),
    path("comments/<int:pk>/", views.comment_permalink, name="comment_permalink"),
    path("comments/<int:pk>/quote/", views.comment_quote, name="comment_quote"),
    path("comments/<int:pk>/replies/", views.comment_replies, name="comment_replies"),
    path("comments/<int:pk>/edit/", views.comment_edit, name="comment_edit"),
    path("comments/<int:pk>/delete/", views.comment_delete, name="comment_delete"),
]
