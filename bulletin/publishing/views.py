"""/healthz for load balancers and monitoring, and the admin's outbox warning; never rendered to public/."""

from django.contrib.auth.decorators import login_required
from django.http import JsonResponse
from django.utils import timezone
from django.views.decorators.cache import never_cache

from .health import OutboxHealth


def _no_store(response):
    # never_cache sends "max-age=0, no-cache, no-store, must-revalidate, private": a CDN must not keep either.
    response["Cache-Control"] = "no-store"
    return response


def healthz(request):
    """200 with {"status": "ok", "outbox": …}; 503 and "degraded" once an outbox entry has been failing for longer
    than BULLETIN_HEALTH_MAX_FAILING_SECONDS (docs/publishing.md)."""
    now = timezone.now()
    health = OutboxHealth.now()
    return _no_store(JsonResponse(health.as_json(now), status=503 if health.degraded(now) else 200))


@login_required
@never_cache
def outbox_warning(request):
    """{"warning": text or null}: the admin's script shows the text on every admin page."""
    return _no_store(JsonResponse({"warning": OutboxHealth.now().warning()}))
