from django.urls import path

from connectors_registry import views

app_name = "connectors"

urlpatterns = [
    path("", views.registry, name="registry"),
    path("connectors/<slug:slug>/", views.connector_detail, name="connector-detail"),
    path(
        "connectors/<slug:slug>/timeline.atom",
        views.ConnectorTimelineFeed(),
        name="connector-timeline-feed",
    ),
    path("exchanges/", views.exchange_list, name="exchange-list"),
    path("exchanges/<slug:slug>/", views.exchange_detail, name="exchange-detail"),
]
