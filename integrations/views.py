from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect

from accounts.choices import Role, Scope
from outstaff.views import FilteredListView

from . import selectors, services
from .choices import DeliveryStatus
from .filters import WebhookDeliveryFilterSet
from .forms import WebhookEndpointForm
from .models import WebhookDelivery, WebhookEndpoint
from .tasks import webhook_dispatch_on_commit

ADMIN_ROLES = {Role.CLIENT_ADMIN, Role.PROVIDER_ADMIN}


def _delivery_subject(delivery) -> str:
    data = (delivery.event.payload or {}).get("data") or {}
    if data.get("message"):
        return "a test event: nothing changed"
    if data.get("resource_type"):
        return f"{data['resource_type']} {data.get('change', '')}".strip()
    return ""


class IntegrationsView(FilteredListView):
    """Webhook endpoints and their deliveries, for client and provider admins: the deliveries are
    filtered by the API's FilterSet, sorted, paged and exported as CSV. A new or rotated secret is
    rendered in the POST response itself (never stored in the session), shown once."""

    template_name = "integrations/integrations.html"
    write_family = Scope.WEBHOOKS
    filterset_class = WebhookDeliveryFilterSet
    selector = selectors.webhook_delivery_list
    context_object_name = "deliveries"
    sort_options = {
        "when": ("created_at",),
        "event": ("event__type",),
        "status": ("status",),
        "attempts": ("attempts",),
    }
    csv_filename = "webhook-deliveries"
    csv_columns = [
        ("When", lambda d: d.created_at.isoformat(timespec="seconds")),
        ("Event", "event.type"),
        ("About", _delivery_subject),
        ("Endpoint", "endpoint.url"),
        ("Status", lambda d: d.get_status_display()),
        ("Attempts", "attempts"),
        ("Last answer", "last_status_code"),
        ("Last error", "last_error"),
    ]

    def dispatch(self, request, *args, **kwargs):
        actor = getattr(request, "actor", None)
        if request.user.is_authenticated and actor and actor.role not in ADMIN_ROLES:
            raise PermissionDenied("Only client and provider admins manage integrations.")
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(
            endpoints=list(selectors.webhook_endpoint_list(actor=self.actor)),
            form=kwargs.get("form") or WebhookEndpointForm(),
            delivery_statuses=DeliveryStatus.choices,
        )
        return context

    def post(self, request, *args, **kwargs):
        action = request.POST.get("action", "")
        if action == "add":
            return self._add()
        if action == "test":
            endpoint = self._get(selectors.webhook_endpoint_list(actor=self.actor), "endpoint")
            try:
                services.webhook_endpoint_send_test(actor=self.actor, endpoint=endpoint)
            except ValidationError as error:
                messages.error(request, " ".join(error.messages))
            else:
                webhook_dispatch_on_commit()
                messages.success(
                    request, f"Test event sent to {endpoint.url}: its delivery shows below within seconds."
                )
            return redirect("integrations:home")
        if action in ("disable", "enable", "rotate", "delete"):
            endpoint = self._get(selectors.webhook_endpoint_list(actor=self.actor), "endpoint")
            return self._endpoint_action(action, endpoint)
        if action == "redeliver":
            delivery = self._get(selectors.webhook_delivery_list(actor=self.actor), "delivery")
            services.webhook_delivery_redeliver(actor=self.actor, delivery=delivery)
            webhook_dispatch_on_commit()
            messages.success(request, "Delivery queued again.")
            return redirect("integrations:home")
        raise Http404("Unknown action.")

    def _get(self, queryset, name):
        try:
            return queryset.get(id=self.request.POST.get(name, ""))
        except (WebhookEndpoint.DoesNotExist, WebhookDelivery.DoesNotExist, ValidationError) as error:
            raise Http404("Not found.") from error

    def _add(self):
        form = WebhookEndpointForm(self.request.POST)
        if form.is_valid():
            try:
                endpoint = services.webhook_endpoint_create(actor=self.actor, **form.cleaned_data)
            except ValidationError as error:
                for field, errors in error.message_dict.items():
                    form.add_error(field if field in form.fields else None, errors)
            else:
                return self.render_to_response(self.get_context_data(new_secret=endpoint.secret, new_for=endpoint))
        return self.render_to_response(self.get_context_data(form=form), status=400)

    def _endpoint_action(self, action: str, endpoint: WebhookEndpoint):
        if action == "rotate":
            endpoint = services.webhook_endpoint_rotate_secret(actor=self.actor, endpoint=endpoint)
            return self.render_to_response(self.get_context_data(new_secret=endpoint.secret, new_for=endpoint))
        if action == "delete":
            services.webhook_endpoint_delete(actor=self.actor, instance=endpoint)
            messages.success(self.request, f"Endpoint {endpoint.url} deleted.")
        else:
            services.webhook_endpoint_update(actor=self.actor, instance=endpoint, is_active=action == "enable")
            messages.success(self.request, f"Endpoint {endpoint.url} {action}d.")
        return redirect("integrations:home")
