from django.urls import path

from . import views

app_name = "spoilers"

urlpatterns = [
    path("progress/", views.progress_update, name="progress_update"),
    path("progress/signup/", views.progress_signup, name="progress_signup"),
    path("progress/watched/", views.episode_watched, name="episode_watched"),
    path("reveal/", views.reveal, name="reveal"),
]
