"""The seven places of the demo and the shapes their reports publish (domain.md).

Structure (sites, platforms, teams, honours) is always generated at the published
figures; people and events (volunteers, activities, orders, households, ledgers,
stories) are multiplied by the demo's scale, 1.0 being the published figure.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["PLACES", "PlaceSpec", "ZoneCenter"]


@dataclass(frozen=True, slots=True)
class ZoneCenter:
    """A development zone's own center, seated in one township of its host county."""

    name: str
    township_code: str
    extra_institutes: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class PlaceSpec:
    """One place's published shape. Counts left at None are not published and get a
    modest default in proportion to the place's size."""

    key: str
    name: str
    division_code: str
    counties: tuple[str, ...]
    prefecture_center: bool = False
    prefecture_sub_centers: tuple[str, ...] = ()
    prefecture_demonstration_points: int = 0
    zone_centers: tuple[ZoneCenter, ...] = ()
    area_sub_centers: tuple[str, ...] = ()
    institutes: int | None = None
    demonstration_institutes: int = 0
    stations: int | None = None
    demonstration_stations: int = 0
    village_coverage: float = 1.0
    platforms: tuple[str, ...] = ()
    professional_teams: int = 0
    detachments: bool = True
    village_teams: int | None = None
    social_organizations: int = 0
    volunteers: int = 20_000
    core_volunteers: int = 0
    projects: int = 200
    brand_projects: tuple[str, ...] = ()
    activities: int = 2_000
    people_served: int | None = None
    volunteer_person_times: int | None = None
    orders: int = 500
    order_funding: bool = False
    points_banks: int = 0
    households: int = 0
    redeemed_yuan: int = 0
    credit_households: int = 0
    credit_granted_yuan: int = 0
    honours: tuple[tuple[str, str, int], ...] = ()
    only_township: str | None = None
    practice_points: int = 0
    practice_point_suffix: str = "新时代文明实践点"
    stories: int = 200


TIANZHU_PLATFORMS = (
    "理论政策宣讲平台",
    "高质量发展服务平台",
    "教育服务平台",
    "科技与科普服务平台",
    "健康促进与体育服务平台",
    "法律服务平台",
    "文化旅游服务平台",
    "移风易俗服务平台",
    "生态文明与慈善服务平台",
)

COMMON_PLATFORMS = (
    "理论宣讲平台",
    "教育服务平台",
    "文化服务平台",
    "科技与科普服务平台",
    "健身体育服务平台",
    "法律服务平台",
)

TIANZHU_BRANDS = (
    "马背宣讲",
    "长寿食堂",
    "帐篷课堂",
    "雪域红烛助学",
    "牧区流动医疗",
    "乌鞘岭生态守护",
    "华藏寺邻里守望",
    "天堂草原普法行",
    "石门沟文化大院",
    "松山滩种植课堂",
    "格桑花关爱留守儿童",
    "牦牛产业技术服务",
    "双语政策明白人",
    "民族团结一家亲",
    "新风尚婚事新办",
    "孝老爱亲敬老餐",
    "草原书屋伴读",
    "红色故事会",
    "文明家庭巡礼",
    "安远驿站暖心行",
    "冬春送温暖",
    "河湖清洁志愿行",
    "非遗传习课堂",
    "白牦牛科普讲堂",
    "乡村振兴带头人",
)

PLACES: tuple[PlaceSpec, ...] = (
    PlaceSpec(
        key="kaili",
        name="凯里市",
        division_code="522601",
        counties=("522601",),
        platforms=COMMON_PLATFORMS,
        professional_teams=27,
        social_organizations=33,
        volunteers=60_000,
        projects=10_680,
        brand_projects=("苗乡文艺轻骑兵", "凯里酸汤暖心送", "巴拉河护河行动"),
        activities=3_000,
        orders=12_000,
        order_funding=True,
        stories=400,
    ),
    PlaceSpec(
        key="tongren",
        name="铜仁市",
        division_code="520600",
        counties=(
            "520602",
            "520603",
            "520621",
            "520622",
            "520623",
            "520624",
            "520625",
            "520626",
            "520627",
            "520628",
        ),
        prefecture_center=True,
        zone_centers=(
            ZoneCenter("贵州大龙经济开发区新时代文明实践中心", "520622003000"),
            ZoneCenter(
                "铜仁高新区新时代文明实践中心",
                "520602005000",
                extra_institutes=("铜仁高新区产业园新时代文明实践所",),
            ),
        ),
        institutes=182,
        demonstration_institutes=27,
        stations=2_929,
        demonstration_stations=99,
        platforms=COMMON_PLATFORMS,
        professional_teams=12,
        volunteers=596_000,
        projects=3_000,
        brand_projects=("梵净山下文明行", "锦江河畔志愿红", "乌江画廊护绿队"),
        activities=30_000,
        orders=8_000,
        points_banks=125,
        households=45_000,
        redeemed_yuan=126_000,
        stories=800,
    ),
    PlaceSpec(
        key="tianzhu",
        name="天祝藏族自治县",
        division_code="620623",
        counties=("620623",),
        area_sub_centers=(
            "华藏寺片区分中心",
            "打柴沟片区分中心",
            "松山片区分中心",
            "安远片区分中心",
            "赛什斯片区分中心",
        ),
        institutes=20,
        stations=198,
        platforms=TIANZHU_PLATFORMS,
        professional_teams=9,
        village_teams=303,
        volunteers=24_000,
        projects=400,
        brand_projects=TIANZHU_BRANDS,
        activities=20_000,
        orders=1_500,
        stories=300,
    ),
    PlaceSpec(
        key="weifang",
        name="潍坊市",
        division_code="370700",
        counties=(
            "370702",
            "370703",
            "370704",
            "370705",
            "370724",
            "370725",
            "370772",
            "370781",
            "370782",
            "370783",
            "370784",
            "370785",
            "370786",
        ),
        institutes=134,
        stations=4_017,
        village_coverage=0.582,
        platforms=COMMON_PLATFORMS,
        professional_teams=10,
        volunteers=1_410_000,
        projects=5_000,
        brand_projects=("风筝都志愿红", "潍县萝卜暖万家", "白浪河守护者"),
        activities=40_000,
        orders=10_000,
        credit_households=125_000,
        credit_granted_yuan=3_680_000_000,
        stories=1_000,
    ),
    PlaceSpec(
        key="nujiang",
        name="怒江傈僳族自治州",
        division_code="533300",
        counties=("533301", "533323", "533324", "533325"),
        prefecture_center=True,
        prefecture_sub_centers=(
            "理论宣讲分中心",
            "教育服务分中心",
            "文化服务分中心",
            "科技科普分中心",
            "健身体育分中心",
            "法律服务分中心",
            "生态文明分中心",
        ),
        prefecture_demonstration_points=10,
        platforms=COMMON_PLATFORMS,
        professional_teams=6,
        volunteers=8_000,
        projects=300,
        brand_projects=("峡谷溜索送学", "独龙江畔普法"),
        activities=1_200,
        people_served=158_800,
        volunteer_person_times=9_860,
        orders=600,
        stories=200,
    ),
    PlaceSpec(
        key="gangcheng",
        name="嘉峪关市钢城街道",
        division_code="620201002000",
        counties=("620201",),
        only_township="620201002000",
        stations=14,
        practice_points=18,
        practice_point_suffix="固定实践点",
        platforms=COMMON_PLATFORMS,
        professional_teams=3,
        village_teams=29,
        volunteers=9_712,
        core_volunteers=102,
        projects=60,
        brand_projects=("钢城红马甲",),
        activities=20,
        orders=120,
        stories=60,
    ),
    PlaceSpec(
        key="qingyang",
        name="庆阳市",
        division_code="621000",
        counties=(
            "621002",
            "621021",
            "621022",
            "621023",
            "621024",
            "621025",
            "621026",
            "621027",
        ),
        platforms=COMMON_PLATFORMS,
        professional_teams=8,
        volunteers=50_000,
        projects=800,
        brand_projects=("陇东家风传承", "香包绣娘课堂"),
        practice_points=58,
        practice_point_suffix="社区家长学校",
        activities=5_000,
        orders=2_000,
        honours=(
            ("文明家庭", "national", 1),
            ("最美家庭", "national", 14),
            ("最美家庭", "provincial", 509),
            ("文明家庭", "city", 37),
            ("最美家庭", "city", 1_520),
        ),
        stories=300,
    ),
)
