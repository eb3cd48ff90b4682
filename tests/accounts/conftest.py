import pytest
from django.utils import translation


@pytest.fixture(autouse=True)
def _chinese():
    """The services' and validators' messages in Chinese, whatever language a request before left active in the
    thread (Django leaves it, and one test here asks for the English pages)."""
    with translation.override("zh-hans"):
        yield
