"""Settings modules: base (shared), dev (the demo and laptops), test, production.

Every value a newsroom may change comes from a ``BULLETIN_*`` environment variable; docs/settings.md lists them.
"""
