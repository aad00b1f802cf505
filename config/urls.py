from csp.constants import UNSAFE_INLINE
from csp.decorators import csp_update
from django.contrib import admin
from django.templatetags.static import static
from django.urls import include, path
from django.views.generic import RedirectView
from drf_spectacular.views import SpectacularSwaggerSplitView

from core.schema_view import PrecomputedSpectacularAPIView


class FaviconRedirect(RedirectView):
    """Its static URL is looked up per request: at import time the manifest of hashed
    names may not exist yet (``check --deploy`` runs before ``collectstatic``)."""

    permanent = True

    def get_redirect_url(self, *args: object, **kwargs: object) -> str:
        return static("img/favicon.svg")


api_v1 = [
    path("", include("connectors_registry.api_urls")),
    path("", include("governance.api_urls")),
    path("health/", include("health.api_urls")),  # health (issue 6)
    path("", include("bounties.api_urls")),  # bounties
]

urlpatterns = [
    # Browsers ask for /favicon.ico whatever the page says; the icon is an SVG.
    path("favicon.ico", FaviconRedirect.as_view(), name="favicon"),
    path("", include("connectors_registry.urls")),
    path("", include("governance.urls")),
    path("", include("health.urls")),  # health (issue 6): status page, badges, feed, metrics
    path("", include("bounties.urls")),  # bounties
    path("admin/", admin.site.urls),
    path("api/v1/", include(api_v1)),
    path("api/schema/", PrecomputedSpectacularAPIView.as_view(), name="api-schema"),
    # The split view serves its script as a file, so the page needs no inline script (CSP).
    # Swagger UI adds <style> elements as it renders: its page alone allows inline styles.
    path(
        "api/docs/",
        csp_update({"style-src": [UNSAFE_INLINE]})(
            SpectacularSwaggerSplitView.as_view(url_name="api-schema")
        ),
        name="api-docs",
    ),
]

# Paths under /api/ answer 404 and 500 in the API's refusal shape; pages keep the site's.
handler404 = "core.api_errors.page_not_found"
handler500 = "core.api_errors.server_error"

admin.site.site_header = "Connector Hub staff"
admin.site.site_title = "Connector Hub staff"
