from django.urls import path

from health import apis

app_name = "health-api"

urlpatterns = [
    path("summary/", apis.HealthSummaryApi.as_view(), name="summary"),
    path("connectors/<slug:slug>/", apis.ConnectorHealthDetailApi.as_view(), name="connector"),
    path("incidents/", apis.IncidentListApi.as_view(), name="incident-list"),
]
