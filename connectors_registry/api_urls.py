from django.urls import path

from connectors_registry import apis

app_name = "connectors-api"

urlpatterns = [
    path("connectors/", apis.ConnectorListApi.as_view(), name="connector-list"),
    path("connectors/<slug:slug>/", apis.ConnectorDetailApi.as_view(), name="connector-detail"),
    path(
        "connectors/<slug:slug>/timeline/",
        apis.ConnectorTimelineApi.as_view(),
        name="connector-timeline",
    ),
    path("exchanges/", apis.ExchangeListApi.as_view(), name="exchange-list"),
    path("exchanges/<slug:slug>/", apis.ExchangeDetailApi.as_view(), name="exchange-detail"),
]
