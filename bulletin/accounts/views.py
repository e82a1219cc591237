"""The two pages of two-factor sign-in: enrol an authenticator app, and enter its code (see two_factor.py)."""

import base64

import segno
from django import forms
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django_otp import devices_for_user, match_token
from django_otp import login as otp_login
from django_otp.plugins.otp_totp.models import TOTPDevice

DEVICE_NAME = "Authenticator app"


class CodeForm(forms.Form):
    code = forms.CharField(
        label="Six-digit code",
        max_length=8,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "autofocus": True}),
    )


def _next_url(request):
    target = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        return target
    return reverse("wagtailadmin_home")


@never_cache
@sensitive_post_parameters("code")
@login_required
def verify(request):
    """Ask for the current code of the user's device; a right one marks the session as verified."""
    if not any(devices_for_user(request.user, confirmed=True)):
        return redirect(reverse("accounts_two_factor_enrol") + "?" + request.GET.urlencode())
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        device = match_token(request.user, form.cleaned_data["code"].strip())
        if device is not None:
            otp_login(request, device)
            return redirect(_next_url(request))
        form.add_error("code", "That code is not valid (or came too soon after a wrong one): wait for the next one.")
    return render(request, "accounts/two_factor_verify.html", {"form": form, "next": _next_url(request)})


@never_cache
@sensitive_post_parameters("code")
@login_required
def enrol(request):
    """Show a new TOTP secret as a QR code; the first right code from the app confirms the device."""
    if any(devices_for_user(request.user, confirmed=True)):
        if not request.user.is_verified():
            return redirect(reverse("accounts_two_factor_verify") + "?" + request.GET.urlencode())
        return render(request, "accounts/two_factor_enrol.html", {"enrolled": True})
    device, _ = TOTPDevice.objects.get_or_create(user=request.user, confirmed=False, defaults={"name": DEVICE_NAME})
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if device.verify_token(form.cleaned_data["code"].strip()):
            device.confirmed = True
            device.save()
            otp_login(request, device)
            return redirect(_next_url(request))
        form.add_error("code", "That code is not valid: check the phone's clock, and enter the code now shown.")
    return render(
        request,
        "accounts/two_factor_enrol.html",
        {
            "form": form,
            "next": _next_url(request),
            "qr_code": segno.make(device.config_url).svg_inline(scale=4),
            "secret": _base32(device.bin_key),
        },
    )


def _base32(key):
    secret = base64.b32encode(key).decode().rstrip("=")
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))
