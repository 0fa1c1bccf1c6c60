"""Personal data is visible only to staff whose scope covers the owning county; everyone
else sees masked names and nothing more, on every path to the object."""

from __future__ import annotations

from typing import Any

import pytest

from connectors.identity import normalise_phone, validate_id_number
from schema.permissions import mask_name
from tests.graphql import GraphQL

KAILI_READERS = ["kaili-key", "guizhou-key", "admin-key"]
KAILI_OUTSIDERS = [None, "media-key", "analyst-key", "tianzhu-key"]
TONGREN_READERS = ["guizhou-key", "admin-key"]
TONGREN_OUTSIDERS = [None, "media-key", "analyst-key", "kaili-key", "tianzhu-key"]

VOLUNTEER_FIELDS = "id displayName realName idNumber phone"
KAILI_VOLUNTEERS = f"""
{{ volunteers(first: 20, filter: {{divisionCode: "522601"}}) {{ edges {{ node {{ {VOLUNTEER_FIELDS} }} }} }} }}
"""
NODE = (
    "query Node($id: ID!) { node(id: $id) { __typename ... on Volunteer { "
    + VOLUNTEER_FIELDS
    + " } } }"
)
TEAM_MEMBERS = f"""
{{ teams(first: 50, filter: {{divisionCode: "522601", kinds: [VILLAGE]}}) {{
    edges {{ node {{ memberCount members(first: 10) {{ edges {{ node {{ {VOLUNTEER_FIELDS} }} }} }} }} }} }} }}
"""
RECORD_VOLUNTEER = f"""
{{ volunteers(first: 50, filter: {{divisionCode: "522601"}}) {{ edges {{ node {{
    records(first: 3) {{ edges {{ node {{ volunteer {{ {VOLUNTEER_FIELDS} }} }} }} }} }} }} }} }}
"""
HOUSEHOLD_FIELDS = "id displayName headName address creditRating { grade } honours { title }"
TONGREN_HOUSEHOLDS = f"""
{{ households(first: 20, filter: {{divisionCode: "520600"}}) {{ edges {{ node {{ {HOUSEHOLD_FIELDS} }} }} }} }}
"""
LEDGER = """
{ households(first: 3, filter: {divisionCode: "520600"}) { edges { node {
    pointsAccount { id balance entries(first: 50) { totalCount edges { node { id kind points reason } } } } } } } }
"""


def _nodes(data: dict[str, Any], root: str) -> list[dict[str, Any]]:
    return [edge["node"] for edge in data[root]["edges"]]


def _assert_volunteer_open(volunteer: dict[str, Any]) -> None:
    assert volunteer["realName"]
    assert volunteer["displayName"] == volunteer["realName"]
    assert validate_id_number(volunteer["idNumber"]) == volunteer["idNumber"]
    assert volunteer["phone"] is None or normalise_phone(volunteer["phone"]) == volunteer["phone"]


def _assert_volunteer_closed(volunteer: dict[str, Any]) -> None:
    assert volunteer["realName"] is None
    assert volunteer["idNumber"] is None
    assert volunteer["phone"] is None
    assert volunteer["displayName"].endswith("**")
    assert len(volunteer["displayName"]) in (3, 4)


@pytest.mark.parametrize("key", KAILI_READERS)
async def test_county_staff_see_their_volunteers_in_lists(graphql: GraphQL, key: str) -> None:
    volunteers = _nodes(await graphql.data(KAILI_VOLUNTEERS, key=key), "volunteers")
    assert volunteers
    for volunteer in volunteers:
        _assert_volunteer_open(volunteer)
    assert any(volunteer["phone"] for volunteer in volunteers)


@pytest.mark.parametrize("key", KAILI_OUTSIDERS)
async def test_others_see_masked_volunteers_in_lists(graphql: GraphQL, key: str | None) -> None:
    volunteers = _nodes(await graphql.data(KAILI_VOLUNTEERS, key=key), "volunteers")
    assert volunteers
    for volunteer in volunteers:
        _assert_volunteer_closed(volunteer)


@pytest.mark.parametrize(
    ("key", "readable"), [(k, True) for k in KAILI_READERS] + [(k, False) for k in KAILI_OUTSIDERS]
)
async def test_the_same_rule_holds_through_node(
    graphql: GraphQL, key: str | None, readable: bool
) -> None:
    first = _nodes(await graphql.data(KAILI_VOLUNTEERS), "volunteers")[0]
    volunteer = (await graphql.data(NODE, {"id": first["id"]}, key=key))["node"]
    assert volunteer["__typename"] == "Volunteer"
    (_assert_volunteer_open if readable else _assert_volunteer_closed)(volunteer)


@pytest.mark.parametrize(
    ("key", "readable"), [(k, True) for k in KAILI_READERS] + [(k, False) for k in KAILI_OUTSIDERS]
)
async def test_the_same_rule_holds_through_service_records(
    graphql: GraphQL, key: str | None, readable: bool
) -> None:
    volunteers = _nodes(await graphql.data(RECORD_VOLUNTEER, key=key), "volunteers")
    reached = [
        record["node"]["volunteer"]
        for volunteer in volunteers
        for record in volunteer["records"]["edges"]
    ]
    assert reached
    for volunteer in reached:
        (_assert_volunteer_open if readable else _assert_volunteer_closed)(volunteer)


@pytest.mark.parametrize("key", KAILI_READERS)
async def test_staff_see_team_members(graphql: GraphQL, key: str) -> None:
    teams = _nodes(await graphql.data(TEAM_MEMBERS, key=key), "teams")
    members = [edge["node"] for team in teams for edge in team["members"]["edges"]]
    assert sum(team["memberCount"] for team in teams) >= len(members) > 0
    for member in members:
        _assert_volunteer_open(member)


@pytest.mark.parametrize("key", KAILI_OUTSIDERS)
async def test_member_lists_are_forbidden_to_others_but_counts_are_public(
    graphql: GraphQL, key: str | None
) -> None:
    body = await graphql(TEAM_MEMBERS, key=key)
    teams = _nodes(body["data"], "teams")
    assert all(team["members"] is None for team in teams)
    assert all(team["memberCount"] >= 0 for team in teams)
    assert {error["extensions"]["code"] for error in body["errors"]} == {"FORBIDDEN"}


@pytest.mark.parametrize("key", TONGREN_READERS)
async def test_staff_see_their_households(graphql: GraphQL, key: str) -> None:
    households = _nodes(await graphql.data(TONGREN_HOUSEHOLDS, key=key), "households")
    assert households
    for household in households:
        assert household["headName"]
        assert household["displayName"] == f"{household['headName']}家"
        assert household["address"]


@pytest.mark.parametrize("key", TONGREN_OUTSIDERS)
async def test_others_see_households_masked(graphql: GraphQL, key: str | None) -> None:
    households = _nodes(await graphql.data(TONGREN_HOUSEHOLDS, key=key), "households")
    assert households
    for household in households:
        assert household["headName"] is None
        assert household["address"] is None
        assert household["creditRating"] is None
        assert household["displayName"].endswith("*家")


async def test_credit_ratings_are_shown_to_staff_only(graphql: GraphQL) -> None:
    query = "{ households(first: 5, filter: {hasCreditRating: true}) { edges { node { creditRating { grade creditLineYuan } } } } }"
    staff = _nodes(await graphql.data(query, key="admin-key"), "households")
    assert staff
    assert all(h["creditRating"]["grade"] in {"AAA", "AA", "A"} for h in staff)
    listed = '{ households(first: 50, filter: {divisionCode: "370785"}) { edges { node { creditRating { grade } } } } }'
    public = _nodes(await graphql.data(listed), "households")
    assert public
    assert all(h["creditRating"] is None for h in public)


@pytest.mark.parametrize("key", TONGREN_READERS)
async def test_staff_read_ledgers_whose_balance_is_the_sum(graphql: GraphQL, key: str) -> None:
    households = _nodes(await graphql.data(LEDGER, key=key), "households")
    accounts = [household["pointsAccount"] for household in households]
    assert accounts
    for account in accounts:
        entries = [edge["node"] for edge in account["entries"]["edges"]]
        assert account["entries"]["totalCount"] == len(entries)
        assert account["balance"] == sum(entry["points"] for entry in entries)


@pytest.mark.parametrize("key", TONGREN_OUTSIDERS)
async def test_ledgers_are_forbidden_to_others_on_every_path(
    graphql: GraphQL, key: str | None
) -> None:
    body = await graphql(LEDGER, key=key)
    assert all(node["pointsAccount"] is None for node in _nodes(body["data"], "households"))
    assert {error["extensions"]["code"] for error in body["errors"]} == {"FORBIDDEN"}
    staff_view = _nodes(await graphql.data(LEDGER, key="admin-key"), "households")[0][
        "pointsAccount"
    ]
    for node_id in (staff_view["id"], staff_view["entries"]["edges"][0]["node"]["id"]):
        direct = await graphql(
            "query N($id: ID!) { node(id: $id) { id } }", {"id": node_id}, key=key
        )
        assert direct["data"]["node"] is None
        assert direct["errors"][0]["extensions"]["code"] == "FORBIDDEN"


@pytest.mark.parametrize("key", [None, "media-key", "analyst-key"])
@pytest.mark.parametrize("root", ["syncRuns", "quarantine"])
async def test_sync_log_and_quarantine_are_for_staff(
    graphql: GraphQL, key: str | None, root: str
) -> None:
    body = await graphql(f"{{ {root}(first: 5) {{ totalCount }} }}", key=key)
    assert body["data"] == {root: None}
    assert body["errors"][0]["extensions"]["code"] == "FORBIDDEN"


@pytest.mark.parametrize("key", ["kaili-key", "admin-key"])
@pytest.mark.parametrize("root", ["syncRuns", "quarantine"])
async def test_staff_may_read_the_sync_log(graphql: GraphQL, key: str, root: str) -> None:
    data = await graphql.data(f"{{ {root}(first: 5) {{ totalCount }} }}", key=key)
    assert data[root]["totalCount"] >= 0


async def test_viewer_says_who_is_asking(graphql: GraphQL) -> None:
    assert (await graphql.data("{ viewer { role scope } }"))["viewer"] == {
        "role": "ANONYMOUS",
        "scope": [],
    }
    staff = (await graphql.data("{ viewer { role scope name } }", key="kaili-key"))["viewer"]
    assert staff == {"role": "COUNTY_STAFF", "scope": ["522601"], "name": "kaili staff"}


BY_TEAM = """
query ByTeam($team: ID!) { volunteers(first: 50, filter: {teamId: $team}) {
    totalCount edges { node { id } } } }
"""
RATED = """
query Rated($county: String!, $rated: Boolean!) { households(first: 50,
    filter: {divisionCode: $county, hasCreditRating: $rated}) { totalCount } }
"""
_NO_SUCH_TEAM = "VGVhbToyMTQ3NDgzNjQ3"  # Team:2147483647


async def _kaili_team(graphql: GraphQL) -> str:
    query = '{ teams(first: 50, filter: {divisionCode: "522601"}) { edges { node { id memberCount } } } }'
    teams = _nodes(await graphql.data(query, key="admin-key"), "teams")
    return str(max(teams, key=lambda team: team["memberCount"])["id"])


NOT_STAFF = [None, "media-key", "analyst-key"]


@pytest.mark.parametrize("key", NOT_STAFF)
async def test_filtering_volunteers_by_team_is_no_way_around_the_member_list(
    graphql: GraphQL, key: str | None
) -> None:
    """Refused alike for a team with members and for no team at all."""
    for team in (await _kaili_team(graphql), _NO_SUCH_TEAM):
        body = await graphql(BY_TEAM, {"team": team}, key=key)
        assert body["data"] is None or body["data"]["volunteers"] is None
        assert [error["extensions"]["code"] for error in body["errors"]] == ["FORBIDDEN"]


@pytest.mark.parametrize("key", KAILI_READERS)
async def test_staff_filter_volunteers_by_their_countys_teams(graphql: GraphQL, key: str) -> None:
    data = await graphql.data(BY_TEAM, {"team": await _kaili_team(graphql)}, key=key)
    assert data["volunteers"]["totalCount"] > 0


async def test_staff_filtering_by_team_see_only_their_own_county(graphql: GraphQL) -> None:
    for team in (await _kaili_team(graphql), _NO_SUCH_TEAM):
        data = await graphql.data(BY_TEAM, {"team": team}, key="tianzhu-key")
        assert data["volunteers"]["totalCount"] == 0


@pytest.mark.parametrize("key", NOT_STAFF)
async def test_whether_a_household_holds_a_credit_rating_is_no_public_filter(
    graphql: GraphQL, key: str | None
) -> None:
    for rated in (True, False):
        body = await graphql(RATED, {"county": "370785", "rated": rated}, key=key)
        assert body["data"] is None or body["data"]["households"] is None
        assert [error["extensions"]["code"] for error in body["errors"]] == ["FORBIDDEN"]


async def test_staff_count_rated_households_of_their_own_counties_only(graphql: GraphQL) -> None:
    counts = {}
    for key in ("admin-key", "guizhou-key"):
        for rated in (True, False):
            data = await graphql.data(RATED, {"county": "370785", "rated": rated}, key=key)
            counts[(key, rated)] = data["households"]["totalCount"]
    everyone = await graphql.data('{ households(filter: {divisionCode: "370785"}) { totalCount } }')
    assert counts[("admin-key", True)] > 0
    assert (
        counts[("admin-key", True)] + counts[("admin-key", False)]
        == (everyone["households"]["totalCount"])
    )
    assert counts[("guizhou-key", True)] == counts[("guizhou-key", False)] == 0


@pytest.mark.parametrize(
    ("name", "masked"),
    [
        ("张伟", "张**"),
        ("张伟伟", "张**"),  # the length does not show
        ("欧阳修", "欧阳**"),
        ("欧阳", "欧**"),  # two characters: 欧 the family name, 阳 the given name
        ("措姆", "***"),  # Tibetan: no family name, nothing of the name shows
        ("尼玛次仁", "***"),
        ("白玛", "***"),
        ("买买提·艾力", "***"),  # Uyghur, with the middle dot
        ("王", "***"),
        ("", ""),
    ],
)
def test_a_mask_shows_neither_length_nor_a_name_without_family_name(name: str, masked: str) -> None:
    assert mask_name(name) == masked


def test_every_mask_of_a_family_is_the_same() -> None:
    assert len({mask_name(name) for name in ("李四", "李小龙", "李阿宝贝")}) == 1
