from django.urls import path

from . import views

app_name = "moderation"

urlpatterns = [
    # kind: "comment", "thread" or "member" (the member's user pk); others are 404.
    path("report/<slug:kind>/<int:pk>/", views.report_create, name="report_create"),
    # kind: "comment" or "thread"; spoiler guards only.
    path("guard/<slug:kind>/<int:pk>/", views.guard_raise, name="guard_raise"),
]
