"""``request.render_memo``: what the requests of one rendering batch share.

The publisher renders URLs in-process in batches (publishing/render.py): one outbox entry, one chunk of
`bulletin build`. Every request of a batch carries the same dict; a reader's request carries none. Views, context
processors, template tags and models may keep in it what several URLs of a batch show alike, and compute it once:
the feeds of a story's section, tags and authors carry the same items; every page shows the same navigation.

The contract:

- The publisher (publishing) attaches the batch's dict with ``attach()`` and starts a new dict for every batch.
  A batch renders one state of the database (one change, or a whole build), so nothing kept outlives the change
  it was computed for. A build chunk may put things in before it renders (PRELOADED_STORIES).
- The apps that render (newsroom, web, syndication) read it with ``for_request()``, which outside a batch gives a
  new, empty dict that nobody else sees: code is the same with and without a batch.
- Every key starts with the label of the app that owns it, and the owner documents it where it is used. Keys now:
  ``PRELOADED_STORIES`` below; ``"web.site"`` (web/context_processors.py); ``("syndication.feed", …)`` and
  ``("syndication.feed_entry", …)`` (syndication/feeds.py).

It lives in newsroom, the lowest app, because the apps on both sides of the contract import newsroom.
"""

#: The attribute of the request that holds the batch's dict.
ATTRIBUTE = "render_memo"

#: {(News Feed page path, slug): StoryPage} loaded ahead by `bulletin build` for the stories of one chunk
#: (publishing/build.py); NewsFeedPage.route() takes each one once instead of querying for it.
PRELOADED_STORIES = "newsroom.preloaded_stories"


def attach(request, memo):
    """Make ``memo`` (a dict) the batch memo of ``request``."""
    setattr(request, ATTRIBUTE, memo)


def for_request(request):
    """The batch memo of ``request``; a new empty dict when the request is not part of a batch."""
    memo = getattr(request, ATTRIBUTE, None)
    return {} if memo is None else memo
