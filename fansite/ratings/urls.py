from django.urls import path

from . import views

app_name = "ratings"

urlpatterns = [
    path("episodes/<int:number>/rating/", views.rating_edit, name="rating_edit"),
]
