"""The static publisher: keeps public/ a correct, warm cache of the rendered site. Imports newsroom.

It hears about changes through Wagtail's and Django's signals (handlers.py), writes an outbox row in the
same transaction, and after commit re-renders exactly the affected URLs (plan.py) through the same views that
serve them live (render.py), writing each file atomically (storage.py). `bulletin build` renders everything.
"""
