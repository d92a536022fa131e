from django.urls import path

from . import views

app_name = "reactions"

urlpatterns = [
    path("comments/<int:pk>/react/", views.react, name="react"),
    path("comments/<int:pk>/reactions/", views.reactors, name="reactors"),
]
