import pytest

from outstaff.api import prepared


@pytest.fixture
def no_templates():
    """No API list template derived before the test, none left after it (outstaff/api/prepared.py):
    the test derives its own."""
    prepared.clear_templates()
    yield
    prepared.clear_templates()
