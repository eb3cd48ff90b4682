"""Hard input on every URL: no answer of 500 or more, and a refused POST writes nothing (issue #13 §6).

Every URL of the permission matrix is asked by a principal who may use it (the dispatcher, or the
district reporter where the dispatcher may not), with query parameters and form fields drawn by
Hypothesis: huge and negative whole numbers, 1e309 / nan / inf, full-width digits, very long
strings, NUL and control characters, any unicode, empty values and lists. A POST starts from the
valid form the matrix posts and spoils one to three of its fields (or adds unknown ones).

The examples are derandomized (the same ones on every run, so CI is reproducible) and bounded per
URL (FUZZ_EXAMPLES, env TUIJIN_FUZZ_EXAMPLES to search harder locally, e.g. 200). Each example runs
in a savepoint that is rolled back, so a POST that does save cannot change the next example's scene.
"""

import os

import pytest
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from .test_permission_matrix import (
    CASES,
    IMPORT_BATCH_URLS,
    drop_stored_file,
    import_batch,
    matrix_job,
    media_files,  # noqa: F401  (the uploaded files, compared as the matrix does)
    payload,
    prepare,
    url_for,
    world,  # noqa: F401  (the matrix's city, built once for the module)
)
from .writes import record_writes

FUZZ_EXAMPLES = int(os.environ.get("TUIJIN_FUZZ_EXAMPLES", "6"))
settings.register_profile(
    "tuijin-fuzz", max_examples=FUZZ_EXAMPLES, deadline=None, derandomize=True, database=None, print_blob=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow, HealthCheck.data_too_large,
                           HealthCheck.filter_too_much],
)
FUZZ = settings.get_profile("tuijin-fuzz")

# What users and scripts have sent, or could: numbers the database cannot hold, floats Python reads
# but Decimal cannot quantize, full-width digits, dates that do not exist, markup, NUL and friends.
NASTY = [
    "1e309", "-1e309", "1e26", "9" * 29, "99999999999999999999", "-99999999999999999999", str(2**63), str(-(2**63) - 1),
    "9223372036854775807", "nan", "NaN", "inf", "-inf", "Infinity", "-0", "0", "-1", "1.5", "0x10", "1_000", "1,000",
    "１２３", "１２３．４５", "－５", "一百", "", " ", "\t", "null", "None", "[]", "{}", "' OR 1=1 --", "<script>x</script>",
    "\x00", "a\x00b", "\x1b[31m", "\u202e", "\ufeff", "𠀀𠀁", "2025-02-30", "9999-12-31", "0000-00-00", "99999-01-01",
    "1-1-1", "true", "on", "none", "all", "-", "长" * 5001, "x" * 20001,
]
SCALAR = st.one_of(
    st.sampled_from(NASTY),
    st.integers(min_value=-(2**80), max_value=2**80).map(str),
    st.floats(allow_nan=True, allow_infinity=True).map(repr),
    st.text(max_size=40),
)
VALUE = st.one_of(SCALAR, SCALAR, st.lists(SCALAR, min_size=0, max_size=3))

# Every query parameter a page reads (views, filtersets and the pager), plus one nobody reads.
QUERY_PARAMS = [
    "page", "year", "region", "level", "category", "stage", "program", "unit", "leader", "light", "q", "sort",
    "archived", "by", "dimension", "due", "due_by", "end", "kind", "mine", "source", "start", "status", "tab",
    "which", "type", "project", "month", "seq", "cadence", "next", "period", "figure", "group", "region_level",
    "lead_unit", "own_region", "zzz",
]
SKIP = {"login", "logout"}  # the login page is fuzzed by the lockout tests' rules, not here (it would lock)
ALLOWED = {"ok", "form", "saved", "302", "400"}


def _targets() -> list[tuple[str, str, str, str]]:
    """One (url name, method, object, principal) per URL and method: the dispatcher where allowed,
    else reporter_a (own project), else dept_reporter; URLs nobody may use are left to the matrix.
    Then reporter_a again on the POSTs of a reporter's own work (reports, projects, imports, problems)."""
    outcomes = {(n, m, o, p): out for n, m, o, p, out in CASES}
    targets, seen = [], set()
    for name, method, obj, _principal, _outcome in CASES:
        if name in SKIP or (name, method) in seen or obj in {"other", "wrong"}:
            continue
        for principal in ("dispatcher", "reporter_a", "dept_reporter"):
            if outcomes.get((name, method, obj, principal)) in ALLOWED:
                targets.append((name, method, obj, principal))
                seen.add((name, method))
                break
    # The district reporter posts the forms of their own work too (a narrower scope, other code paths).
    for name, method, obj, principal, outcome in CASES:
        if (principal == "reporter_a" and method == "POST" and obj == "own" and outcome in ALLOWED
                and name.startswith(REPORTER_APPS) and (name, method, obj, principal) not in targets):
            targets.append((name, method, obj, principal))
    return targets


REPORTER_APPS = ("reports:", "projects:", "ledgerio:", "problems:new", "problems:step")
TARGETS = _targets()


def test_the_fuzz_covers_most_urls_for_get_and_post():
    names = {(n, m) for n, m, *_ in TARGETS}
    assert {("reports:grid", "POST"), ("reports:report", "POST"), ("projects:list", "GET"),
            ("problems:list", "GET"), ("reports:project", "GET"), ("projects:create", "POST")} <= names
    assert len(TARGETS) > 100


def _spoil(form: dict, changes: dict) -> dict:
    data = dict(form)
    for key, value in changes.items():
        data[key] = value
    return data


@pytest.mark.django_db
@pytest.mark.parametrize(("name", "method", "obj", "principal"), TARGETS, ids=[f"{n}-{m}-{p}" for n, m, _, p in TARGETS])
def test_hard_input_never_answers_500(client, world, media_files, name, method, obj, principal):  # noqa: F811
    project = {"own": world.own, "order": world.own, "meeting": world.own, "-": None}.get(obj, world.own)
    user = world.city.users[principal]
    client.force_login(user)
    client.raise_request_exception = False
    batch = import_batch(obj, principal, world.city) if name in IMPORT_BATCH_URLS else None
    target = batch or project
    if name.startswith("jobs:") and obj != "-":
        target = matrix_job(obj, principal, world.city)
    prepare(name, target, world, obj)
    url = url_for(name, target, world)
    keys = list(QUERY_PARAMS) if method == "GET" else None

    @FUZZ
    @given(data=st.data())
    def run(data):
        with transaction.atomic():
            if method == "GET":
                changes = data.draw(st.dictionaries(st.sampled_from(keys), VALUE, min_size=1, max_size=4), label="query")
                files = writes = None
                response = client.get(url, changes)
            else:
                form = payload(name, obj, target, world.city.regions, world)
                fields = sorted({*form, "version", "id", "zzz"})
                changes = data.draw(st.dictionaries(st.sampled_from(fields), VALUE, min_size=1, max_size=3), label="form")
                # The grid's autosave posts the same form and answers JSON.
                headers = {"HTTP_X_TUIJIN_AUTOSAVE": "1"} if data.draw(st.booleans(), label="autosave") else {}
                files = media_files()
                with record_writes() as writes:
                    response = client.post(url, _spoil(form, changes), **headers)
            assert response.status_code < 500, f"{method} {url} {changes!r} → {response.status_code}"
            autosaved = response.get("Content-Type", "").startswith("application/json") and response.json().get("ok")
            if writes is not None and response.status_code not in {301, 302, 303} and not autosaved:
                wrote = [str(write) for write in writes.domain()] + ([] if media_files() == files else ["a file"])
                assert not wrote, f"{method} {url} {changes!r} answered {response.status_code} but wrote {wrote}"
            transaction.set_rollback(True)

    try:
        run()
    finally:
        if batch is not None:
            drop_stored_file(batch)
