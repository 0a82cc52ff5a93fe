"""Admin forms that write through the services (issue 8: one write path per resource).

A `ServiceModelAdmin` never saves the form's instance itself: when the form validates, its
`create_service` / `update_service` is called with the submitted values (an add: every field; a
change: the fields the user changed), so the admin holds exactly the rules the API, bulk and CSV
hold (`full_clean`, the screening gate, the overlap constraint, scoping), writes the audit rows
(channel "admin", from the request middleware), sends the events and queues the rescans. A
service's refusal is shown on the form, field by field, and nothing is saved. A change form
submitted unchanged calls nothing: it is silent like any unchanged write.

Only the fields the service takes are editable (`create_fields` on the add form, `update_fields` on
the change form); the rest are shown read-only. Deletions are the database's (a trigger leaves the
tombstone and the `*.deleted` event on every path); the admin then asks for the worker's rescan.

This module imports no domain app: each admin says how staff act (`service_actor`)."""

from django.contrib import admin
from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied, ValidationError
from django.db import transaction

from .signals import send_workers_changed_on_commit


class ServiceModelAdmin(admin.ModelAdmin):
    create_service = None  # callable(*, actor, **values) -> instance
    update_service = None  # callable(*, actor, instance, **values) -> instance
    create_fields: tuple[str, ...] = ()
    update_fields: tuple[str, ...] = ()
    # Fields that only say who acts (e.g. the provider of a new contract): not passed to the service.
    actor_fields: tuple[str, ...] = ()
    # Whether the update service wants every editable value (e.g. recording a check-in), not just the changed ones.
    update_sends_all_fields = False

    def service_actor(self, request, obj, data: dict):
        """The Actor staff act as: the organization owning `obj` (None on an add: read `data`)."""
        raise NotImplementedError

    def service_announce_deleted(self, objs) -> None:
        """After a deletion: the workers the deleted rows were about are re-evaluated (the
        tombstones and `*.deleted` events are the database triggers')."""
        worker_ids = {getattr(obj, "worker_id", None) for obj in objs}
        send_workers_changed_on_commit(worker_ids=worker_ids, source=self.model._meta.label)

    # --- which fields the forms edit ---------------------------------------------------------
    def has_add_permission(self, request):
        return self.create_service is not None and super().has_add_permission(request)

    def get_readonly_fields(self, request, obj=None):
        editable = self.update_fields if obj is not None else self.create_fields
        if obj is not None and self.update_service is None:
            editable = ()
        declared = list(super().get_readonly_fields(request, obj))
        others = [
            f.name
            for f in [*self.model._meta.fields, *self.model._meta.many_to_many]
            if f.editable and f.name not in editable and f.name not in declared
        ]
        return [*declared, *others]

    def get_form(self, request, obj=None, change=False, **kwargs):
        form_class = super().get_form(request, obj, change=change, **kwargs)
        model_admin = self

        class ServiceForm(form_class):
            def _post_clean(self):
                # Instead of copying the values onto the instance and validating it here, the
                # service copies, validates and saves (in the admin's transaction).
                if not self._errors:
                    model_admin._service_save(request, self)

        ServiceForm.__name__ = form_class.__name__
        return ServiceForm

    def _service_save(self, request, form) -> None:
        instance = form.instance
        creating = instance._state.adding
        names = form.cleaned_data if creating or self.update_sends_all_fields else form.changed_data
        data = {name: form.cleaned_data[name] for name in names if name in form.cleaned_data}
        if not creating and not form.changed_data:
            return  # nothing changed: nothing is written
        try:
            with transaction.atomic():
                actor = self.service_actor(request, None if creating else instance, form.cleaned_data)
                values = {k: v for k, v in data.items() if k not in self.actor_fields}
                if creating:
                    saved = self.create_service(actor=actor, **values)
                else:
                    saved = self.update_service(actor=actor, instance=instance, **values)
        except ValidationError as error:
            errors = error.message_dict if hasattr(error, "error_dict") else {NON_FIELD_ERRORS: error.messages}
            for name, messages in errors.items():
                for message in messages:
                    if name in form.fields:
                        form.add_error(name, message)
                    elif name == NON_FIELD_ERRORS:
                        form.add_error(None, message)
                    else:
                        form.add_error(None, f"{name}: {message}")
        except PermissionDenied as error:
            form.add_error(None, str(error) or "You may not make this change.")
        else:
            form.instance = saved

    # --- the service saved already ---------------------------------------------------------
    def save_model(self, request, obj, form, change):
        """Saved by the service while the form validated; many-to-many values went to it too."""

    def save_related(self, request, form, formsets, change):
        for formset in formsets:
            self.save_formset(request, form, formset, change=change)

    def delete_model(self, request, obj):
        super().delete_model(request, obj)
        self.service_announce_deleted([obj])

    def delete_queryset(self, request, queryset):
        objs = list(queryset)
        super().delete_queryset(request, queryset)
        self.service_announce_deleted(objs)


class ReadOnlyInline:
    """An inline that shows rows without editing them (they change through their own services)."""

    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
