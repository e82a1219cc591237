"""Staff accounts: sign-in throttling (django-axes) and two-factor authentication (django-otp, TOTP).

Imports newsroom (the role names) only; see docs/security.md.
"""
