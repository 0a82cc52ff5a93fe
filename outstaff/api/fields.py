from rest_framework import serializers


class ScopedRelatedField(serializers.PrimaryKeyRelatedField):
    """A related object given by id, looked up only among the rows the acting organization may use
    (a selector), so an id from another tenant is "does not exist", never a cross-tenant link."""

    def __init__(self, *, scope, model, **kwargs):
        self.scope = scope
        kwargs.setdefault("queryset", model.objects.none())
        super().__init__(**kwargs)

    def get_queryset(self):
        request = self.context.get("request")
        actor = getattr(request, "actor", None)
        if actor is None:
            return self.queryset
        return self.scope(actor=actor)
