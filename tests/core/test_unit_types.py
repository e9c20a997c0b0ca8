from __future__ import annotations

import re

import pytest

from shoumen_core.unit_types import (
    UNIT_TYPE_CODES,
    UNIT_TYPES,
    UnitType,
    UnknownUnitType,
    filter_unit_types,
    unit_type,
)

EXPECTED_NAMES = [
    "党政机关/事业单位",
    "行政服务中心",
    "医疗机构",
    "诊所/门诊部",
    "药店",
    "养老机构",
    "儿童福利/救助机构",
    "托育/幼儿园",
    "中小学",
    "校外培训机构",
    "住宅小区",
    "村(社区)出入口",
    "企业/工厂",
    "写字楼/产业园区",
    "建筑工地",
    "商场/商业综合体",
    "超市/便利店",
    "农贸/集贸市场",
    "专业/批发市场",
    "冷链/进口水果经营场所",
    "餐饮场所",
    "咖啡馆/酒吧/茶座",
    "宾馆酒店/民宿",
    "银行/证券网点",
    "邮政快递网点",
    "运营商营业厅",
    "美容美发/洗浴足浴",
    "歌舞娱乐/KTV",
    "网吧",
    "棋牌室/剧本杀/密室",
    "影剧院",
    "图书馆/博物馆/展览馆",
    "体育健身/游泳场馆",
    "旅游景区/公园",
    "宗教活动场所",
    "火车站",
    "汽车客运站",
    "机场/码头/口岸",
    "公交/出租/网约车",
    "高速卡口/交通卡点",
    "婚姻登记/殡葬场所",
    "集中隔离场所/转运车辆",
    "其他",
]


def test_exactly_43_in_the_agreed_order() -> None:
    assert len(UNIT_TYPES) == 43
    assert [unit.name_zh for unit in UNIT_TYPES] == EXPECTED_NAMES


def test_codes_and_names_are_unique_and_well_formed() -> None:
    assert len({unit.code for unit in UNIT_TYPES}) == 43
    assert len({unit.name_zh for unit in UNIT_TYPES}) == 43
    assert len({unit.name_en for unit in UNIT_TYPES}) == 43
    assert {unit.code for unit in UNIT_TYPES} == UNIT_TYPE_CODES
    for unit in UNIT_TYPES:
        assert re.fullmatch(r"[a-z][a-z0-9]*(_[a-z0-9]+)*", unit.code), unit.code
        assert unit.name_en.strip() == unit.name_en != ""
    assert UNIT_TYPES[-1].code == "other"


def test_lookup_by_code() -> None:
    for unit in UNIT_TYPES:
        assert unit_type(unit.code) is unit
    assert unit_type("pharmacy") == UnitType("pharmacy", "药店", "Pharmacy")


@pytest.mark.parametrize("code", ["", "Pharmacy", "药店", "pharmacy ", "nope"])
def test_unknown_code(code: str) -> None:
    with pytest.raises(UnknownUnitType) as info:
        unit_type(code)
    assert isinstance(info.value, ValueError)
    assert info.value.code == "bad_unit_type"
    assert info.value.message == "场所类型无效"


def test_filter_empty_query_returns_all_in_order() -> None:
    assert filter_unit_types("") == list(UNIT_TYPES)
    assert filter_unit_types("   ") == list(UNIT_TYPES)


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("市场", {"farmers_market", "wholesale_market"}),
        ("ktv", {"karaoke"}),
        ("KTV", {"karaoke"}),
        ("STATION", {"railway_station", "coach_station"}),
        ("cold_ch", {"cold_chain"}),
        ("医疗", {"medical_institution"}),
        ("zzzz", set()),
    ],
)
def test_filter_matches_chinese_english_or_code(query: str, expected: set[str]) -> None:
    assert {unit.code for unit in filter_unit_types(query)} == expected


def test_filter_keeps_the_list_order() -> None:
    result = filter_unit_types("/")
    assert result == [unit for unit in UNIT_TYPES if "/" in unit.name_zh or "/" in unit.name_en]
    assert len(result) > 20
