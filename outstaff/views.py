"""Page plumbing shared by every app's views; it knows nothing of the domain."""

from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.paginator import Paginator
from django.http import Http404
from django.views.generic import TemplateView

PAGE_SIZE = 50


class ActorRequiredMixin(LoginRequiredMixin):
    """A logged-in user with a membership; `self.actor` is who acts (see accounts.middleware).
    `write_family`, when set, is the family the user's role must be allowed to write."""

    write_family: str | None = None

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        actor = request.actor
        if not actor:
            raise Http404("You are not a member of any organization.")
        self.actor = actor
        if (
            self.write_family
            and request.method not in ("GET", "HEAD", "OPTIONS")
            and not actor.can_write(self.write_family)
        ):
            from django.core.exceptions import PermissionDenied

            raise PermissionDenied("Your role cannot change this.")
        return super().dispatch(request, *args, **kwargs)


class FilteredListView(ActorRequiredMixin, TemplateView):
    """A page listing a selector's rows through the same FilterSet the API uses, paginated so the
    number of queries does not depend on the number of rows."""

    filterset_class = None
    selector = None
    context_object_name = "rows"

    def get_queryset(self):
        return type(self).selector(actor=self.actor)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        filterset = self.filterset_class(self.request.GET or None, queryset=self.get_queryset())
        queryset = filterset.qs if filterset.is_bound and filterset.is_valid() else self.get_queryset()
        page = Paginator(queryset, PAGE_SIZE).get_page(self.request.GET.get("page"))
        query = self.request.GET.copy()
        query.pop("page", None)
        context.update(filterset=filterset, page=page, querystring=query.urlencode())
        context[self.context_object_name] = page.object_list
        return context
