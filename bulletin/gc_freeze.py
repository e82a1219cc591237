"""The garbage collector of a long-lived Bulletin process (the CLI's commands, the app under granian).

Django, Wagtail and their imports leave a few hundred thousand long-lived objects. Python's collector walks all
of them at every full collection, and rendering a page allocates enough to trigger those often: in a publish
that renders the 15 feeds around a story, collections took about a seventh of the time. Freezing what exists
once the app is loaded takes those objects out of every later collection (they are never garbage).
"""

import gc


def freeze_loaded_objects():
    """Call once the app is loaded (settings, apps, URLconf), before serving or rendering."""
    from django.urls import get_resolver

    get_resolver().url_patterns  # import every view module now, so that they are frozen too  # noqa: B018
    gc.collect()
    gc.freeze()
