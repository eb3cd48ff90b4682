"""Services raise the domain's NotFound; the middleware answers it with the site's 404 page, and
PermissionDenied with the 403 page, whatever view it came through."""

import pytest
from django.core.exceptions import PermissionDenied
from django.test import override_settings
from django.urls import path

from tuijin.core.exceptions import NotFound


def _missing(request):
    raise NotFound("项目不存在")


def _refused(request):
    raise PermissionDenied


def _fine(request):
    from django.http import HttpResponse

    return HttpResponse("好")


from tuijin.urls import urlpatterns as _site  # noqa: E402  (the error pages link to the site's own pages)

urlpatterns = [path("missing/", _missing), path("refused/", _refused), path("fine/", _fine), *_site]


@pytest.mark.django_db
@override_settings(ROOT_URLCONF=__name__, DEBUG=False)
def test_not_found_from_a_service_is_a_404_page(client):
    response = client.get("/missing/")
    assert response.status_code == 404
    body = response.content.decode()
    assert "页面不存在或您无权查看" in body  # the site's 404 page (templates/404.html), not a bare error
    assert "Traceback" not in body


@pytest.mark.django_db
@override_settings(ROOT_URLCONF=__name__, DEBUG=False)
def test_permission_denied_is_a_403_and_other_views_are_untouched(client):
    refused = client.get("/refused/")
    assert refused.status_code == 403 and "无权进行此操作" in refused.content.decode()  # templates/403.html
    response = client.get("/fine/")
    assert response.status_code == 200 and response.content.decode() == "好"


def test_not_found_is_not_an_http_error():
    from django.http import Http404

    assert not issubclass(NotFound, Http404)


@pytest.mark.django_db
def test_get_or_not_found_finds_within_the_scope_only(users, own_project, other_project):
    from tuijin.core.exceptions import get_or_not_found
    from tuijin.projects.models import Project

    mine = Project.objects.visible_to(users["reporter_a"])
    assert get_or_not_found(mine, pk=own_project.pk) == own_project
    with pytest.raises(NotFound) as caught:
        get_or_not_found(mine, pk=other_project.pk)
    assert str(caught.value) == "项目不存在或不在您的范围内"


@pytest.mark.django_db
def test_a_service_out_of_scope_answers_the_404_page(client, users, other_project):
    """A reporter of 兰山区 posting to another district's project: the service's NotFound is a 404."""
    from django.urls import reverse

    client.force_login(users["reporter_a"])
    response = client.get(reverse("projects:detail", args=[other_project.pk]))
    assert response.status_code == 404
