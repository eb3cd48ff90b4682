"""core.versioning.claim_many: the batch form of the optimistic lock (the report grid, the ledger import)."""

import pytest
from django.db import transaction

from tuijin.core.versioning import claim_many
from tuijin.projects.models import Project

from .. import factories as f

pytestmark = pytest.mark.django_db


def test_claim_many_names_the_stale_and_the_gone_rows_and_returns_what_is_stored(city):
    projects = f.bulk_projects(3, region=city.regions.lanshan, lead_unit=city.units.lanshan_government)
    a, b, c = projects
    Project.objects.filter(pk=b.pk).update(version=b.version + 1, is_archived=True)  # saved by someone else
    with transaction.atomic():
        stale, stored = claim_many(Project, {c.pk: c.version, a.pk: a.version, b.pk: b.version, 10**9: 1},
                                   "is_archived")
    assert stale == [b.pk, 10**9]  # in the order given; a row that is gone is stale too
    assert stored[a.pk] == (a.version, False)
    assert stored[b.pk] == (b.version + 1, True)
    assert 10**9 not in stored


def test_claim_many_reads_in_chunks_the_same_as_at_once(city):
    projects = f.bulk_projects(7, region=city.regions.lanshan, lead_unit=city.units.lanshan_government)
    versions = {p.pk: p.version for p in projects}
    versions[projects[3].pk] += 5
    with transaction.atomic():
        assert claim_many(Project, versions, chunk=2) == claim_many(Project, versions)
        stale, _stored = claim_many(Project, versions, chunk=2)
    assert stale == [projects[3].pk]
