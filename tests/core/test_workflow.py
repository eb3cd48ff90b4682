"""core/workflow.py on a made-up workflow: a table with a wrong state or a step named twice does not
load; a step's role, states and record check decide what is allowed, with a Chinese reason."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models

from tuijin.core.workflow import Step, Workflow, allowed_steps, legal_step


class Door(models.TextChoices):
    SHUT = "shut", "关闭"
    OPEN = "open", "打开"
    LOCKED = "locked", "上锁"


class Person:
    def __init__(self, pk, keeper=False):
        self.pk, self.keeper = pk, keeper


def keeper(user) -> bool:
    return user.keeper


def not_the_one_who_locked(user, door) -> str:
    return "上锁的人不能自己开锁" if door["locked_by"] == user.pk else ""


DOOR = Workflow(states=Door, steps=(
    Step("open", {Door.SHUT}, Door.OPEN, label="开门", done="门已打开"),
    Step("shut", {Door.OPEN}, Door.SHUT, label="关门"),
    Step("lock", {Door.SHUT}, Door.LOCKED, label="上锁", who=keeper, refused="只有关着的门才能上锁（现在：%(state)s）"),
    Step("unlock", {Door.LOCKED}, Door.SHUT, label="开锁", who=keeper, check=not_the_one_who_locked),
))

ANYONE, KEEPER, OTHER_KEEPER = Person(1), Person(2, keeper=True), Person(3, keeper=True)


def test_a_table_naming_an_unknown_state_or_a_step_twice_does_not_load():
    with pytest.raises(ValueError):
        Workflow(states=Door, steps=(Step("fly", {"shut"}, "sky", label="飞"),))
    with pytest.raises(ValueError):
        Workflow(states=Door, steps=(Step("open", {"shut"}, "open", label="开"), Step("open", {"open"}, "shut", label="关")))


def test_allowed_steps_follow_the_state_and_the_role_in_the_tables_order():
    assert [s.name for s in allowed_steps(DOOR, Door.SHUT, ANYONE)] == ["open"]
    assert [s.name for s in allowed_steps(DOOR, Door.SHUT, KEEPER)] == ["open", "lock"]
    assert [s.name for s in allowed_steps(DOOR, Door.LOCKED, ANYONE)] == []
    assert [s.name for s in allowed_steps(DOOR, Door.SHUT, None)] == ["open", "lock"]  # the system may


def test_allowed_steps_with_the_record_apply_its_check():
    door = {"locked_by": KEEPER.pk}
    assert [s.name for s in allowed_steps(DOOR, Door.LOCKED, KEEPER, door)] == []
    assert [s.name for s in allowed_steps(DOOR, Door.LOCKED, OTHER_KEEPER, door)] == ["unlock"]


def test_an_illegal_step_is_refused_in_chinese():
    with pytest.raises(ValidationError) as caught:
        legal_step(DOOR, "lock", Door.OPEN)
    assert caught.value.messages == ["只有关着的门才能上锁（现在：打开）"]
    with pytest.raises(ValidationError) as caught:
        legal_step(DOOR, "shut", Door.LOCKED)
    assert caught.value.messages == ["当前状态为“上锁”，不能关门"]
    with pytest.raises(ValidationError) as caught:
        legal_step(DOOR, "fly", Door.OPEN)
    assert caught.value.messages == ["不支持的操作：fly"]
    with pytest.raises(ValidationError) as caught:
        legal_step(DOOR, "unlock", Door.LOCKED, user=KEEPER, record={"locked_by": KEEPER.pk})
    assert caught.value.messages == ["上锁的人不能自己开锁"]
    assert legal_step(DOOR, "unlock", Door.LOCKED, user=OTHER_KEEPER, record={"locked_by": KEEPER.pk}).target == Door.SHUT


def test_the_role_is_required_apart():
    with pytest.raises(PermissionDenied):
        DOOR.step("lock").require(ANYONE)
    DOOR.step("lock").require(KEEPER)
    DOOR.step("lock").require(None)
    assert DOOR.label_of(Door.LOCKED) == "上锁"


def owner(user, door) -> bool:
    return door["owner"] == user.pk


HOUSE = Workflow(states=Door, refused="门现在是“%(state)s”，不能%(step)s", forbidden="这不是您的门，不能%(step)s", steps=(
    Step("knock", {Door.SHUT, Door.LOCKED}, None, label="敲门"),  # the state stays
    Step("open", {Door.SHUT}, Door.OPEN, label="开门", actor=owner),
    Step("lock", {Door.SHUT}, Door.LOCKED, label="上锁", actor=owner, forbidden="只有房主能上锁"),
    Step("paint", {Door.SHUT}, None, label="刷漆", text="颜色", text_required=False, own_form=True),
))


def test_the_users_place_on_the_record_decides_after_the_state_with_the_workflows_refusals():
    door = {"owner": KEEPER.pk}
    assert [s.name for s in allowed_steps(HOUSE, Door.SHUT, KEEPER, door)] == ["knock", "open", "lock", "paint"]
    assert [s.name for s in allowed_steps(HOUSE, Door.SHUT, ANYONE, door)] == ["knock", "paint"]
    assert [s.name for s in allowed_steps(HOUSE, Door.SHUT, None, door)] == ["knock", "open", "lock", "paint"]
    assert HOUSE.refusal("open", Door.OPEN, ANYONE, door) == "门现在是“打开”，不能开门"  # the state first
    assert HOUSE.refusal("open", Door.SHUT, ANYONE, door) == "这不是您的门，不能开门"
    assert HOUSE.refusal("lock", Door.SHUT, ANYONE, door) == "只有房主能上锁"  # the step's own refusal wins
    assert HOUSE.allows("open", Door.SHUT, KEEPER, door) and not HOUSE.allows("open", Door.SHUT, ANYONE, door)
    with pytest.raises(PermissionDenied) as caught:
        legal_step(HOUSE, "open", Door.SHUT, user=ANYONE, record=door, error=PermissionDenied)
    assert str(caught.value) == "这不是您的门，不能开门"
    assert legal_step(HOUSE, "knock", Door.LOCKED, user=ANYONE, record=door).target is None
    assert HOUSE.names == ("knock", "open", "lock", "paint")
    assert HOUSE.step("paint").text_label == "颜色（可不填）" and HOUSE.step("knock").day_of(door) is None
