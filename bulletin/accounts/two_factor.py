"""Two-factor authentication for the admin: a TOTP code from an authenticator app after the password.

django-otp holds the devices and checks codes (and slows down guessing: each failure doubles the wait before the
next try, OTP_TOTP_THROTTLE_FACTOR); this module decides who must use it and sends them there. A user with a
confirmed device always enters a code. A user without one is sent to enrol when BULLETIN_TWO_FACTOR is
"required" (production's default) and the user is an admin (superuser) or an editor: the roles that can publish
anything or manage people. Elsewhere enrolling is optional (Account → Two-factor authentication), so the demo
signs in with a password alone.
"""

from django.conf import settings
from django.shortcuts import redirect
from django.urls import Resolver404, resolve, reverse
from django.utils.http import urlencode
from django_otp import user_has_device

from bulletin.newsroom.roles import EDITORS

#: Admin URL names a signed-in user may reach before entering a code.
OPEN_URL_NAMES = {
    "wagtailadmin_login",
    "wagtailadmin_logout",
    "wagtailadmin_javascript_catalog",
    "wagtailadmin_sprite",
    "accounts_two_factor_verify",
    "accounts_two_factor_enrol",
}


def required_for(user):
    """Whether ``user`` must have a device: production requires one of admins and editors."""
    if settings.BULLETIN_TWO_FACTOR != "required":
        return False
    return user.is_superuser or user.groups.filter(name=EDITORS).exists()


class TwoFactorMiddleware:
    """Send a signed-in admin user who has not entered a code this session to enter one (or to enrol a device).

    Listed after django-otp's OTPMiddleware, which gives ``request.user.is_verified()``. Only the admin is
    guarded: the public site has no signed-in pages.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self._challenge(request)
        return response or self.get_response(request)

    def _challenge(self, request):
        if not request.path.startswith(reverse("wagtailadmin_home")):
            return None
        user = request.user
        if not user.is_authenticated or user.is_verified():
            return None
        try:
            match = resolve(request.path_info)
        except Resolver404:
            return None
        if match.url_name in OPEN_URL_NAMES:
            return None
        if user_has_device(user, confirmed=True):
            target = "accounts_two_factor_verify"
        elif required_for(user):
            target = "accounts_two_factor_enrol"
        else:
            return None
        return redirect(reverse(target) + "?" + urlencode({"next": request.get_full_path()}))
