from django.urls import path

from health import views

app_name = "health"

urlpatterns = [
    path("status/", views.status_page, name="status"),
    path("status/incidents/<int:pk>/", views.incident_detail, name="incident-detail"),
    path("status/incidents.atom", views.IncidentFeed(), name="incident-feed"),
    path("badge/<slug:slug>.svg", views.badge, name="badge"),
    path("metrics", views.metrics, name="metrics"),
]
