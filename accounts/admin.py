from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from pghistory.admin import EventModelAdmin

from .models import ApiKey, Membership, Organization, User


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    autocomplete_fields = ["user"]


@admin.register(Organization)
class OrganizationAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "kind", "country", "is_active", "require_two_factor"]
    list_filter = ["kind", "is_active"]
    search_fields = ["name", "slug"]
    prepopulated_fields = {"slug": ["name"]}
    inlines = [MembershipInline]


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    list_display = ["email", "first_name", "last_name", "is_staff", "is_active"]
    search_fields = ["email", "first_name", "last_name"]
    ordering = ["email"]


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = ["user", "organization", "role"]
    list_filter = ["role", "organization__kind"]
    search_fields = ["user__email", "organization__name"]
    autocomplete_fields = ["user", "organization"]


@admin.register(ApiKey)
class ApiKeyAdmin(admin.ModelAdmin):
    """Keys are created with `manage.py create_api_key` or the API (the secret is shown once);
    here they can be inspected and revoked."""

    list_display = ["name", "organization", "prefix", "created_at", "last_used_at", "revoked_at"]
    list_filter = ["organization"]
    search_fields = ["name", "prefix"]
    readonly_fields = ["prefix", "key_hash", "last_used_at", "created_at", "created_by"]

    def has_add_permission(self, request):
        return False


class AccessEventAdmin(EventModelAdmin):
    """Audit history (read-only) of memberships, API keys, organization settings and users' access
    flags (staff, superuser, active)."""

    list_display = ["pgh_created_at", "pgh_label", "pgh_obj_id", "pgh_context"]
    list_select_related = ["pgh_context"]


for audited in (Organization, Membership, ApiKey, User):
    admin.site.register(audited.pgh_event_model, AccessEventAdmin)
