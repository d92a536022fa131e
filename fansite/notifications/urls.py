from django.urls import path

from . import views

app_name = "notifications"

urlpatterns = [
    path("notifications/", views.notification_list, name="notification_list"),
    path("notifications/<int:pk>/read/", views.notification_read, name="notification_read"),
    path("notifications/read/", views.notification_read_all, name="notification_read_all"),
    path("notifications/following/", views.follow_list, name="follow_list"),
    path(
        "notifications/settings/",
        views.notification_settings_update,
        name="notification_settings_update",
    ),
    path(
        "notifications/follow/<str:kind>/<int:pk>/",
        views.follow_create,
        name="follow_create",
    ),
    path(
        "notifications/unfollow/<str:kind>/<int:pk>/",
        views.follow_delete,
        name="follow_delete",
    ),
]
