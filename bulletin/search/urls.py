from django.urls import path

from . import views

urlpatterns = [
    path("", views.results, name="search"),
    path("search.json", views.results_json, name="search_json"),
]
