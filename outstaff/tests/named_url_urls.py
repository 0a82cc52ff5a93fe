"""A second URLconf for test_named_url: the same names at other paths."""

from django.http import HttpResponse
from django.urls import path


def _view(request):
    return HttpResponse()


urlpatterns = [path("elsewhere/", _view, name="home"), path("a&b/", _view, name="odd")]
