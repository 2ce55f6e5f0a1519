"""Routing follows what each centre does in the seeds, per ward."""

from __future__ import annotations

import pytest

from handoff.directory import load_directory
from handoff.routing import route

# ward -> situation -> (primary, involved) for a resident with no special facts
SINGLE = {
    "edogawa": {
        "debt": ("kurashigoto", ["kurashigoto"]),
        "hikikomori": ("hikikomori", ["hikikomori"]),
        "housing_refusal": ("nagomi", ["nagomi"]),
        "other_welfare": ("nagomi", ["nagomi"]),
        "family_8050": ("nagomi", ["nagomi", "jukunen", "hikikomori"]),
        "double_care": ("nagomi", ["nagomi", "jukunen", "kodomo"]),
    },
    "nerima": {
        "debt": ("seikatsu_support", ["seikatsu_support"]),
        "hikikomori": ("seikatsu_support", ["seikatsu_support"]),
        "housing_refusal": ("sogo_fukushi", ["sogo_fukushi"]),
        "other_welfare": ("sogo_fukushi", ["sogo_fukushi"]),
        "family_8050": ("renkei", ["renkei", "houkatsu", "seikatsu_support"]),
        "double_care": ("renkei", ["renkei", "houkatsu", "kodomo"]),
    },
    "toshima": {
        "debt": ("kurashi_shigoto", ["kurashi_shigoto"]),
        "hikikomori": ("hikikomori", ["hikikomori"]),
        "housing_refusal": ("fukushi_floor", ["fukushi_floor"]),
        "other_welfare": ("fukushi_floor", ["fukushi_floor"]),
        "family_8050": ("fukushi_floor", ["fukushi_floor", "koureisha", "hikikomori"]),
        "double_care": ("fukushi_floor", ["fukushi_floor", "koureisha", "kodomo"]),
    },
}
CASES = [
    (ward, name, *expected) for ward, table in SINGLE.items() for name, expected in table.items()
]


@pytest.mark.parametrize(("ward", "situation", "primary", "involved"), CASES)
def test_one_situation(ward: str, situation: str, primary: str, involved: list[str]) -> None:
    result = route(load_directory(ward), situations=[situation], facts={}, urgent=False)
    assert result.primary.code == primary
    assert result.centre_codes == involved
    assert result.multi_agency == (len(involved) > 1)
    assert not result.urgent


@pytest.mark.parametrize(
    ("ward", "coordinator", "expected"),
    [
        ("edogawa", "nagomi", {"kurashigoto", "hikikomori", "kodomo"}),
        ("nerima", "renkei", {"seikatsu_support", "kodomo"}),
        ("toshima", "fukushi_floor", {"kurashi_shigoto", "hikikomori", "kodomo"}),
    ],
)
def test_several_situations_go_to_the_coordinator_with_every_centre(
    ward: str, coordinator: str, expected: set[str]
) -> None:
    result = route(
        load_directory(ward),
        situations=["debt", "hikikomori", "other_welfare"],
        facts={"children": True},
        urgent=False,
    )
    assert result.multi_agency
    assert result.primary.code == coordinator
    assert result.reason_key == "route.multi_agency"
    assert result.centre_codes[0] == coordinator
    assert expected <= set(result.centre_codes)
    assert len(result.centre_codes) == len(set(result.centre_codes))


@pytest.mark.parametrize(
    ("ward", "facts", "centre", "reason"),
    [
        ("edogawa", {"age": 70}, "jukunen", "route.elderly"),
        ("edogawa", {"age": 64}, "nagomi", "route.other_welfare"),
        ("edogawa", {"children": True}, "kodomo", "route.children"),
        ("edogawa", {"disability": True}, "kikan", "route.disability"),
        ("nerima", {"age": 65}, "houkatsu", "route.elderly"),
        ("nerima", {"disability": True}, "shogai", "route.disability"),
        ("toshima", {"age": 80}, "koureisha", "route.elderly"),
        ("toshima", {"children": True}, "kodomo", "route.children"),
    ],
)
def test_facts_about_the_person_choose_the_centre(
    ward: str, facts: dict, centre: str, reason: str
) -> None:
    result = route(load_directory(ward), situations=["other_welfare"], facts=facts, urgent=False)
    assert result.primary.code == centre
    assert result.reason_key == reason
    assert not result.multi_agency


def test_an_older_person_in_debt_keeps_the_debt_desk_and_involves_the_elderly_desk() -> None:
    result = route(load_directory("edogawa"), situations=["debt"], facts={"age": 72}, urgent=False)
    assert result.primary.code == "kurashigoto"
    assert result.centre_codes == ["kurashigoto", "jukunen"]
    assert not result.multi_agency


@pytest.mark.parametrize("ward", ["edogawa", "nerima", "toshima"])
def test_crisis_is_urgent(ward: str) -> None:
    directory = load_directory(ward)
    result = route(directory, situations=["crisis", "debt"], facts={}, urgent=False)
    assert result.urgent
    assert result.reason_key == "route.crisis"
    assert result.primary.code == directory.rules.crisis
    alone = route(directory, situations=[], facts={}, urgent=True)
    assert alone.urgent and alone.primary.code == directory.rules.crisis
