"""A page's body (the part below the navigation) rendered once per data version and served as HTML:
the plumbing the dashboard, the provider home and the team list share. It knows no domain table;
what invalidates an entry is the tenants' data versions (outstaff/dataversion.py: every committed
write to a table the body reads bumps them) plus what the key's scope names.

- ``PageBody(namespace, template, *includes)``: the body's template and those it includes; its
  ``version`` is a digest of their sources, so a deploy that changes one never serves the old HTML.
  ``cached(tenant_ids=..., scope=..., compute=...)`` caches ``compute()`` under the tenants'
  versions and ``(*scope, today, the time zone, version)``: the caller's scope names the rest
  (the organization, the role or user whose view it is, the query string).
- ``plain_list_query(query, sorts)``: the query strings worth caching, a bounded set: no filter, one
  of ``sorts`` at most and a plain page number at most.
- ``CachedBodyListMixin``: a FilteredListView whose plain query strings serve the body from the
  cache; any other request (a filter, CSV) is computed as before.

The body must be the same HTML for every request of one key: nothing per request (a message, the
request's own URL beyond its query string) inside it; those stay in the page around it. A body with
forms sets ``body_csrf``: it is rendered with a placeholder for ``{% csrf_token %}``, which each
request replaces with its own token's field (the HTML cached never holds a token)."""

from __future__ import annotations

import functools
import hashlib
from collections.abc import Callable, Iterable, Sequence

from django.middleware.csrf import get_token
from django.template import Context, Template, engines
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.safestring import mark_safe

from .dataversion import cached

MAX_PAGE_DIGITS = 4
# What `{% csrf_token %}` renders in a cached body; letters only, so no escaping changes it, and as
# the whole field (name, quotes) no text the body shows (escaped) can contain it.
CSRF_PLACEHOLDER = "pagecacheCsrfTokenPlaceholder"


def csrf_field(token: str) -> str:
    """What `{% csrf_token %}` renders for `token`."""
    return str(_csrf_template().render(Context({"csrf_token": token})))


@functools.cache
def _csrf_template() -> Template:
    return engines["django"].engine.from_string("{% csrf_token %}")


class PageBody:
    def __init__(self, namespace: str, template: str, *includes: str):
        self.namespace = namespace
        self.template = template
        self.templates = (template, *includes)

    @functools.cached_property
    def version(self) -> str:
        """A digest of the body's templates: a deploy that changes one never serves the old HTML."""
        engine = engines["django"].engine
        sources = [engine.find_template(name)[0].source for name in self.templates]
        return hashlib.sha256("\0".join(sources).encode()).hexdigest()[:12]

    def render(self, context: dict, request=None) -> str:
        return str(render_to_string(self.template, context, request=request))

    def cached(self, *, tenant_ids: Sequence, scope: Iterable, compute: Callable[[], object], today=None):
        """`compute()` (the body's HTML, or a value holding it) under the tenants' versions; `today`
        is the date the body was computed for (default: today in the current time zone)."""
        today = today or timezone.localdate()
        return cached(
            self.namespace,
            tenant_ids=tenant_ids,
            scope=(*scope, today.isoformat(), timezone.get_current_timezone_name(), self.version),
            compute=compute,
        )


def plain_list_query(query, sorts: Iterable[str]) -> bool:
    """No filter, one of `sorts` at most and a plain page number at most (a bounded set of keys)."""
    if query.keys() - {"sort", "page"} or any(len(query.getlist(key)) > 1 for key in query):
        return False
    page = query.get("page", "1")
    return query.get("sort", "") in sorts and page.isdigit() and len(page) <= MAX_PAGE_DIGITS


class CachedBodyListMixin:
    """For a FilteredListView: a plain query string (see `body_cacheable`) serves the part below the
    navigation from `page_body`'s cache, keyed by `body_tenant_ids()` and `body_scope()`; the page
    template shows the HTML given as `body_context_name` instead of including the body. On a miss
    the response keeps the page's whole context (what tests and the debug toolbar read)."""

    page_body: PageBody
    body_context_name = "list_body"
    body_sorts: frozenset[str] = frozenset()
    body_csrf = False

    def body_cacheable(self, query) -> bool:
        return query.get("format") != "csv" and plain_list_query(query, self.body_sorts)

    def body_tenant_ids(self) -> list:
        return [self.actor.organization.id]

    def body_scope(self) -> tuple:
        return (self.actor.organization.id, self.actor.role, self.request.META.get("QUERY_STRING", ""))

    def get(self, request, *args, **kwargs):
        if not self.body_cacheable(request.GET):
            return super().get(request, *args, **kwargs)
        tenant_ids = self.body_tenant_ids()
        computed = {"view": self}

        def compute():
            computed.update(self.get_context_data())
            if not self.body_csrf:
                return self.page_body.render(computed, request=request)
            return self.page_body.render({**computed, "csrf_token": CSRF_PLACEHOLDER}, request=request)

        html = self.page_body.cached(tenant_ids=tenant_ids, scope=self.body_scope(), compute=compute)
        if self.body_csrf:
            html = html.replace(csrf_field(CSRF_PLACEHOLDER), csrf_field(get_token(request)))
        context = {**computed, self.body_context_name: mark_safe(html)}  # nosec B308 B703 - our template's output
        return self.render_to_response(context)
