from django.urls import path

app_name = "threads"

urlpatterns: list = []
