from django.urls import path

from . import email_views, views

app_name = "users"

urlpatterns = [
    path("members/<str:username>/", views.profile_detail, name="profile_detail"),
    path("settings/profile/", views.profile_edit, name="profile_edit"),
    path("settings/email/", email_views.email_settings, name="email_settings"),
    path("settings/delete/", views.account_delete, name="account_delete"),
]
