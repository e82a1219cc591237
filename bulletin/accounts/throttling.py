"""Who a failed sign-in counts against: the account, and the address it came from (django-axes settings in
settings/base.py).

django-axes takes REMOTE_ADDR unless told otherwise. Behind nginx or a CDN that is the proxy's address, so one
attacker would lock every editor out; BULLETIN_PROXIES says how many proxies in front of the app append to
X-Forwarded-For, and the client's address is the entry that many places from its end (the ones before it are
whatever the client sent, so they are never trusted).
"""

from django.conf import settings


def client_address(request):
    """The sign-in's client address: REMOTE_ADDR, or the right X-Forwarded-For entry behind BULLETIN_PROXIES."""
    proxies = settings.BULLETIN_PROXIES
    if proxies:
        forwarded = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if part.strip()]
        if len(forwarded) >= proxies:
            return forwarded[-proxies]
    return request.META.get("REMOTE_ADDR")
