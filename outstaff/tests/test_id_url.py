"""`{% id_url %}` (outstaff/templatetags/lists.py) gives what `{% url %}` gives for a row's id, without
a reverse() a row: for UUIDs (the placeholder's place), for anything else (reverse), escaped alike."""

import uuid

from django.template import Context, Template
from django.urls import reverse, set_script_prefix


def _render(source: str, **context) -> str:
    return Template("{% load lists %}" + source).render(Context(context))


def test_id_url_is_the_url_tags_output_for_uuids_and_anything_else():
    for object_id in (uuid.uuid4(), uuid.UUID(int=0), str(uuid.uuid4())):
        expected = _render("{% url 'workers:detail' object_id %}", object_id=object_id)
        assert _render("{% id_url 'workers:detail' object_id %}", object_id=object_id) == expected
        assert expected == reverse("workers:detail", args=[object_id])
    assert _render("{% id_url 'risks:flag-detail' i %}", i=uuid.UUID(int=5)) == reverse(
        "risks:flag-detail", args=[uuid.UUID(int=5)]
    )


def test_id_url_follows_the_script_prefix():
    object_id = uuid.uuid4()
    try:
        set_script_prefix("/outstaff/")
        assert _render("{% id_url 'workers:detail' i %}", i=object_id) == f"/outstaff/workers/{object_id}/"
    finally:
        set_script_prefix("/")
    assert _render("{% id_url 'workers:detail' i %}", i=object_id) == f"/workers/{object_id}/"
