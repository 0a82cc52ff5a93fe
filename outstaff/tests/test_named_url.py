"""`{% named_url %}` (outstaff/templatetags/lists.py), which the navigation on every page uses: what
a reader would notice if it broke is a link to the wrong place: another script prefix's, another
URLconf's, or an unescaped one."""

import pytest
from django.template import Context, Template, TemplateSyntaxError
from django.test import override_settings
from django.urls import clear_script_prefix, reverse, set_script_prefix

from outstaff.templatetags import lists

NAV = ["home", "workers:list", "workers:check-ins", "risks:board", "api-docs", "logout", "risks:open-count"]


def _render(source: str, **context) -> str:
    return Template("{% load lists %}" + source).render(Context(context))


@pytest.fixture(autouse=True)
def _fresh():
    lists._NAMED_URLS.clear()
    yield
    lists._NAMED_URLS.clear()
    clear_script_prefix()


def test_it_gives_what_the_url_tag_gives_for_every_navigation_name():
    for name in NAV:
        assert _render(f'{{% named_url "{name}" %}}') == _render(f'{{% url "{name}" %}}') == reverse(name)


def test_each_script_prefix_gets_its_own_urls():
    plain = _render('{% named_url "workers:list" %}')
    set_script_prefix("/outstaff/")
    prefixed = _render('{% named_url "workers:list" %}')
    assert prefixed == "/outstaff" + plain
    assert prefixed == _render('{% url "workers:list" %}')
    clear_script_prefix()
    assert _render('{% named_url "workers:list" %}') == plain


def test_another_urlconf_is_not_served_the_first_ones_urls():
    assert _render('{% named_url "home" %}') == "/"
    with override_settings(ROOT_URLCONF="outstaff.tests.named_url_urls"):
        assert _render('{% named_url "home" %}') == "/elsewhere/"


def test_the_url_is_escaped_as_the_url_tag_escapes_it():
    with override_settings(ROOT_URLCONF="outstaff.tests.named_url_urls"):
        assert _render('{% named_url "odd" %}') == _render('{% url "odd" %}') == "/a&amp;b/"
        assert _render('{% autoescape off %}{% named_url "odd" %}{% endautoescape %}') == "/a&b/"


@pytest.mark.parametrize("source", ["{% named_url home %}", '{% named_url "home" "x" %}', "{% named_url %}"])
def test_anything_but_one_quoted_name_is_a_syntax_error(source):
    with pytest.raises(TemplateSyntaxError, match="one quoted URL name"):
        _render(source)
