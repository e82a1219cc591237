"""The front of `bulletin serve`: an ASGI application that granian runs in every worker.

    server.py       builds and runs the granian server (the CLI's `serve` calls it)
    supervision.py  workers die with the server; a port held by old processes is refused by name
    worker.py       what granian calls in each worker: builds the application
    app.py          the ASGI application: files, /live/, Django, lifespan
    relay.py        the workers' way to Django: each request over a unix socket to a Django process
    django_processes.py  the niced processes that run Django, started and restarted by serve's main process
    files.py        the in-memory cache of public/ and media/ files with their headers
    negotiation.py  pure functions over request headers: 304, Range (the coding is web/content_coding.py)

Imports point one way: the front imports live (the hub), publishing (URL to file) and web (cache, content type
and media policies, the query prefixes); nothing imports the front but the CLI.
"""
