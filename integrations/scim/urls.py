from django.urls import path, re_path

from . import views

urlpatterns = [
    path("ServiceProviderConfig", views.ServiceProviderConfigView.as_view(), name="scim-service-provider-config"),
    path("ResourceTypes", views.ResourceTypesView.as_view(), name="scim-resource-types"),
    path("ResourceTypes/<str:name>", views.ResourceTypesView.as_view(), name="scim-resource-type"),
    path("Schemas", views.SchemasView.as_view(), name="scim-schemas"),
    path("Schemas/<str:schema_id>", views.SchemasView.as_view(), name="scim-schema"),
    path("Users", views.UsersView.as_view(), name="scim-users"),
    path("Users/.search", views.UsersSearchView.as_view(), name="scim-users-search"),
    path("Users/<str:worker_id>", views.UserView.as_view(), name="scim-user"),
    path(".search", views.RootSearchView.as_view(), name="scim-search"),
    re_path(r"^.*$", views.NotFoundView.as_view(), name="scim-not-found"),
]
