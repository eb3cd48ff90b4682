"""core.listexport.list_title: the list's name and the filters in force, punctuated in the interface's language."""

from django.utils import translation

from tuijin.core.listexport import list_title


def test_a_title_states_the_filters_in_chinese_punctuation():
    with translation.override("zh-hans"):
        assert list_title("问题清单", [("区县", "高新区"), ("状态", "推进中")]) == "问题清单（区县：高新区；状态：推进中）"


def test_a_title_without_filters_is_the_name_alone():
    assert list_title("问题清单", []) == "问题清单"


def test_a_term_without_a_label_is_stated_as_its_words():
    with translation.override("zh-hans"):
        assert list_title("预警清单", [("", "仅红灯")]) == "预警清单（仅红灯）"


def test_an_english_title_uses_english_punctuation():
    with translation.override("en"):
        assert list_title("Problem list", [("District", "Gaoxin"), ("Status", "In progress")]) == \
            "Problem list (District: Gaoxin; Status: In progress)"
