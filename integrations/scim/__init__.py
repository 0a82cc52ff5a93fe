"""SCIM 2.0 (RFC 7643/7644) at /scim/v2/: workers as Users, for identity providers and HRIS tools.
See docs/scim.md. Parsing, serialising, filters and PATCH come from `scim2-models`; writes go
through the worker services like every other path."""
