"""The ward directories load, are consistent, and never show a sample value bare."""

from __future__ import annotations

import pytest
import yaml

from flows.catalogue import load_catalogue
from handoff.directory import DATA_DIR, DirectoryError, load_directory, parse_directory

WARDS = ["edogawa", "nerima", "toshima"]


@pytest.mark.parametrize("ward", WARDS)
def test_every_reason_key_is_a_message(ward: str) -> None:
    directory = load_directory(ward)
    catalogue = load_catalogue()
    for key in directory.reason_keys():
        text = catalogue.text(key, centre="X窓口", centres="A、B")
        assert text and "{" not in text


@pytest.mark.parametrize("ward", WARDS)
def test_sample_fields_carry_their_note_when_shown(ward: str) -> None:
    directory = load_directory(ward)
    assert directory.centres
    for centre in directory.centres.values():
        assert centre.services, centre.code
        for field_name in ("phone", "address", "hours"):
            shown = centre.shown(field_name)
            if centre.is_sample(field_name):
                assert shown.endswith(centre.sample_notes[field_name].ja)
                assert "見本" in shown
            else:
                assert shown == getattr(centre, field_name)
        # The seeds give no phone numbers: every phone shown is marked as a sample.
        assert centre.is_sample("phone")


def test_toshima_floor_address_comes_from_the_seed_and_is_not_marked() -> None:
    floor = load_directory("toshima").centre("fukushi_floor")
    assert floor.shown("address") == "豊島区役所 本庁舎4階"
    assert "見本" in floor.shown("phone")


def test_each_ward_has_its_name() -> None:
    assert load_directory("edogawa").ward_name == "江戸川区"
    assert load_directory("nerima").ward_name == "練馬区"
    assert load_directory("toshima").ward_name == "豊島区"


def test_a_rule_naming_an_unknown_centre_fails_at_load() -> None:
    raw = yaml.safe_load((DATA_DIR / "centres" / "edogawa.yml").read_text(encoding="utf-8"))
    raw["routing"]["situations"]["debt"]["centres"] = ["no_such_centre"]
    with pytest.raises(DirectoryError, match="no_such_centre"):
        parse_directory(raw)


def test_a_sample_field_without_a_note_fails_at_load() -> None:
    raw = yaml.safe_load((DATA_DIR / "centres" / "nerima.yml").read_text(encoding="utf-8"))
    del raw["sample_notes"]["phone"]
    with pytest.raises(DirectoryError, match="sample"):
        parse_directory(raw)
