"""The 43 venue (单位/场所) types a venue is registered under.

Codes are stable: they are stored in the database and sent over the wire. Never rename or
reorder them; add new types before ``other`` only with a migration.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class UnitType:
    code: str
    name_zh: str
    name_en: str


class UnknownUnitType(ValueError):
    code: str = "bad_unit_type"

    def __init__(self, unit_code: str) -> None:
        self.message: str = "场所类型无效"
        self.unit_code = unit_code
        super().__init__(f"{self.message}: {unit_code!r}")


UNIT_TYPES: tuple[UnitType, ...] = (
    UnitType("government_agency", "党政机关/事业单位", "Government agency / public institution"),
    UnitType("admin_service_centre", "行政服务中心", "Administrative service centre"),
    UnitType("medical_institution", "医疗机构", "Hospital / medical institution"),
    UnitType("clinic", "诊所/门诊部", "Clinic / outpatient department"),
    UnitType("pharmacy", "药店", "Pharmacy"),
    UnitType("elderly_care", "养老机构", "Elderly care home"),
    UnitType("child_welfare", "儿童福利/救助机构", "Child welfare / relief institution"),
    UnitType("childcare_kindergarten", "托育/幼儿园", "Childcare centre / kindergarten"),
    UnitType("school", "中小学", "Primary / secondary school"),
    UnitType("tutoring_centre", "校外培训机构", "Off-campus tutoring centre"),
    UnitType("residential_compound", "住宅小区", "Residential compound"),
    UnitType("village_entrance", "村(社区)出入口", "Village / community entrance"),
    UnitType("enterprise_factory", "企业/工厂", "Enterprise / factory"),
    UnitType("office_park", "写字楼/产业园区", "Office building / industrial park"),
    UnitType("construction_site", "建筑工地", "Construction site"),
    UnitType("shopping_mall", "商场/商业综合体", "Shopping mall / commercial complex"),
    UnitType("supermarket", "超市/便利店", "Supermarket / convenience store"),
    UnitType("farmers_market", "农贸/集贸市场", "Farmers' market"),
    UnitType("wholesale_market", "专业/批发市场", "Specialised / wholesale market"),
    UnitType("cold_chain", "冷链/进口水果经营场所", "Cold-chain / imported fruit business"),
    UnitType("restaurant", "餐饮场所", "Restaurant / catering"),
    UnitType("cafe_bar_teahouse", "咖啡馆/酒吧/茶座", "Café / bar / teahouse"),
    UnitType("hotel_homestay", "宾馆酒店/民宿", "Hotel / homestay"),
    UnitType("bank_securities", "银行/证券网点", "Bank / securities branch"),
    UnitType("postal_courier", "邮政快递网点", "Post office / courier outlet"),
    UnitType("telecom_store", "运营商营业厅", "Telecom operator store"),
    UnitType("beauty_bath", "美容美发/洗浴足浴", "Beauty salon / barber / bathhouse / foot spa"),
    UnitType("karaoke", "歌舞娱乐/KTV", "Dance hall / karaoke (KTV)"),
    UnitType("internet_cafe", "网吧", "Internet café"),
    UnitType("game_room", "棋牌室/剧本杀/密室", "Mahjong room / murder-mystery / escape room"),
    UnitType("cinema_theatre", "影剧院", "Cinema / theatre"),
    UnitType("library_museum", "图书馆/博物馆/展览馆", "Library / museum / exhibition hall"),
    UnitType("sports_venue", "体育健身/游泳场馆", "Gym / sports venue / swimming pool"),
    UnitType("scenic_park", "旅游景区/公园", "Scenic area / park"),
    UnitType("religious_site", "宗教活动场所", "Religious site"),
    UnitType("railway_station", "火车站", "Railway station"),
    UnitType("coach_station", "汽车客运站", "Coach station"),
    UnitType("airport_port", "机场/码头/口岸", "Airport / pier / border port"),
    UnitType("bus_taxi", "公交/出租/网约车", "Bus / taxi / ride-hailing"),
    UnitType("traffic_checkpoint", "高速卡口/交通卡点", "Highway exit / traffic checkpoint"),
    UnitType("marriage_funeral", "婚姻登记/殡葬场所", "Marriage registry / funeral site"),
    UnitType("quarantine_site", "集中隔离场所/转运车辆", "Quarantine site / transfer vehicle"),
    UnitType("other", "其他", "Other"),
)

UNIT_TYPE_CODES: frozenset[str] = frozenset(unit.code for unit in UNIT_TYPES)

_BY_CODE: dict[str, UnitType] = {unit.code: unit for unit in UNIT_TYPES}


def unit_type(code: str) -> UnitType:
    try:
        return _BY_CODE[code]
    except KeyError:
        raise UnknownUnitType(code) from None


def unit_type_name(code: str) -> str:
    """The Chinese name of a type code; the code itself for one this list does not know."""
    return unit_type(code).name_zh if code in UNIT_TYPE_CODES else code


def filter_unit_types(query: str) -> list[UnitType]:
    """Types whose Chinese name, English name or code contains ``query`` (case-insensitive)."""
    needle = query.strip().casefold()
    if not needle:
        return list(UNIT_TYPES)
    return [
        unit
        for unit in UNIT_TYPES
        if needle in unit.name_zh.casefold() or needle in unit.name_en.casefold() or needle in unit.code
    ]
