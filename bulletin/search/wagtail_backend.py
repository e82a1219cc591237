"""Wagtail's admin search (page search, the link-card chooser, the author chooser) answered from this index.

Set by WAGTAILSEARCH_BACKENDS. Searches of pages and authors are answered here; everything else (images,
documents, users) goes to Wagtail's database backend, which this wraps and which still keeps its own index.

- Pages: live stories come from the search index, ranked as readers get them (top MAX_RESULTS), then the
  pages that are not live (drafts, scheduled stories, which the index never holds) whose title contains every
  word typed: few, and found with a scan of the non-live pages only.
- Authors: a newsroom has dozens, so every word must start a word of the name (folded as the index folds it).
"""

from django.db.models import Case, IntegerField, Q, When
from modelsearch.backends.base import BaseSearchResults
from modelsearch.backends.database import SearchBackend as database_backend
from wagtail.models import Page

from bulletin.newsroom.models import Author

from . import index
from .text import Query, fold

#: Drafts and scheduled pages listed after the live stories, at most.
MAX_NOT_LIVE = 200


def _query_text(query):
    """The text of a Wagtail query (a string, PlainText or Phrase), or None for MATCH_ALL and the like."""
    if isinstance(query, str):
        return query
    return getattr(query, "query_string", None)


class IndexResults(BaseSearchResults):
    """Search results whose ranked ids are known up front; the queryset gives the objects and any filters."""

    def __init__(self, backend, queryset, ranked_ids, order_by_relevance=True, prefetch_related=None):
        self.queryset, self.ranked_ids, self.order_by_relevance = queryset, ranked_ids, order_by_relevance
        super().__init__(backend, None, prefetch_related)
        self.model = queryset.model

    def _clone(self):
        new = self.__class__(
            self.backend, self.queryset, self.ranked_ids, self.order_by_relevance, self.prefetch_related
        )
        new.start, new.stop, new._score_field = self.start, self.stop, self._score_field
        return new

    def _ordered(self):
        queryset = self.queryset.filter(pk__in=self.ranked_ids)
        if self.order_by_relevance:
            rank = Case(*[When(pk=pk, then=i) for i, pk in enumerate(self.ranked_ids)], output_field=IntegerField())
            queryset = queryset.order_by(rank)
        return queryset

    def _do_search(self):
        results = list(self._ordered()[self.start : self.stop])
        if self._score_field:
            for result in results:
                setattr(result, self._score_field, None)
        return results

    def _do_count(self):
        count = self.queryset.filter(pk__in=self.ranked_ids).count()
        return max(0, min(count, self.stop or count) - self.start)


class NewsroomSearchBackend:
    """Wraps Wagtail's database backend; answers searches of pages and authors from Bulletin's index."""

    def __init__(self, params):
        self.inner = database_backend(params)

    def __getattr__(self, name):
        return getattr(self.inner, name)

    def search(self, query, model_or_queryset, fields=None, operator=None, order_by_relevance=True):
        return self._answer(query, model_or_queryset, order_by_relevance) or self.inner.search(
            query, model_or_queryset, fields=fields, operator=operator, order_by_relevance=order_by_relevance
        )

    def autocomplete(self, query, model_or_queryset, fields=None, operator=None, order_by_relevance=True):
        return self._answer(query, model_or_queryset, order_by_relevance) or self.inner.autocomplete(
            query, model_or_queryset, fields=fields, operator=operator, order_by_relevance=order_by_relevance
        )

    def _answer(self, query, model_or_queryset, order_by_relevance):
        queryset = model_or_queryset if hasattr(model_or_queryset, "model") else model_or_queryset.objects.all()
        text = _query_text(query)
        parsed = Query(text) if text else None
        if not parsed:
            return None
        if issubclass(queryset.model, Page):
            return IndexResults(self, queryset, self._page_ids(parsed, queryset), order_by_relevance)
        if issubclass(queryset.model, Author):
            return IndexResults(self, queryset, self._author_ids(parsed, queryset), order_by_relevance)
        return None

    def _page_ids(self, query, queryset):
        live = index.search(query, limit=index.MAX_RESULTS).story_ids
        words = Q()
        for word in query.words:
            words &= Q(title__icontains=word)
        not_live = (
            queryset.filter(words, live=False)
            .order_by("-latest_revision_created_at")
            .values_list("pk", flat=True)[:MAX_NOT_LIVE]
        )
        return live + list(not_live)

    def _author_ids(self, query, queryset):
        ids = []
        for pk, name in queryset.values_list("pk", "name"):
            names = [fold(part) for part in name.split()]
            if all(any(n.startswith(word) for n in names) for word in query.words):
                ids.append(pk)
        return ids


SearchBackend = NewsroomSearchBackend
