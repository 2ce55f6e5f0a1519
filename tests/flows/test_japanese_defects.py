"""The Japanese defects of issue 10, each shown through the conversation a resident has:
「ごろごろ」, the contact question asked twice on the danger path, a free-dial number told
to be written in digits, and なごみの家 said to work with なごみの家."""

from __future__ import annotations

import re
from itertools import combinations

import pytest

from flows.catalogue import load_catalogue
from flows.reminders import Reminder
from handoff.directory import load_directory
from handoff.routing import route
from tests.flows.conftest import t
from tests.support.conversation import to_phone_question as _to_phone_question

WARDS = ("edogawa", "nerima", "toshima")


@pytest.mark.parametrize("language", ["ja", "ja-easy"])
def test_no_message_adds_goro_to_a_time_that_already_ends_in_goro(language):
    catalogue = load_catalogue(language)
    shown = catalogue.text("slot.when", month=12, day=3, weekday=catalogue.weekday(3), hour=10, minute=0)
    assert shown.rstrip().endswith("ごろ")
    for key in catalogue.keys():
        names = catalogue.placeholders(key)
        if "when" in names:
            said = catalogue.text(key, **{**dict.fromkeys(names, "X"), "when": shown})
            assert re.search(r"ごろ\s*ごろ", said) is None, (key, said)


async def test_the_urgent_path_asks_how_to_contact_once(chat):
    await chat.say("もう死にたい")
    await chat.tap(t("danger.offer_yes"))
    await chat.tap(t("consent.agree"))
    reply = chat.texts()
    assert reply.count(t("contact.ask")) == 1, reply
    assert {b.label for b in chat.buttons()} == {t("contact.phone"), t("contact.line")}


async def test_words_that_are_not_a_number_still_get_the_digits_hint(chat):
    await _to_phone_question(chat)
    await chat.say("あとで")
    assert chat.texts() == t("contact.bad_phone")
    await chat.say("0120")  # too short to be any number
    assert chat.texts() == t("contact.bad_phone")


@pytest.mark.parametrize("ward", WARDS)
@pytest.mark.parametrize("language", ["ja", "ja-easy", "en"])
def test_the_taking_centre_is_never_listed_among_those_it_works_with(ward, language):
    directory = load_directory(ward)
    catalogue = load_catalogue(language)
    named = sorted(directory.rules.situations)
    cases = [[s] for s in named] + [list(pair) for pair in combinations(named, 2) if "other_welfare" not in pair]
    for situations in cases:
        for urgent in (False, True):
            chosen = route(directory, situations=situations, facts={}, urgent=urgent)
            others = [c.name for c in chosen.involved[1:]]
            said = catalogue.text(chosen.reason_key, centre=chosen.primary.name, centres="、".join(others))
            if "centres" in catalogue.placeholders(chosen.reason_key):
                assert others, (situations, urgent)  # never an empty "（）"
                assert chosen.primary.name not in others
            assert said.count(chosen.primary.name) == 1, said


async def _debt_reason(chat, first: str) -> str:
    """The debt flow from ``first`` to the consent; what the reply says before asking it."""
    await chat.say(first)
    await chat.tap(t("flows.common.who.self"))
    await chat.say("返済が大変です")
    await chat.say("200万円くらい")
    await chat.tap(t("flows.debt.income.working"))
    await chat.say("小岩")
    reply = chat.texts()
    assert t("consent.intro") in reply
    return reply.split(t("consent.intro"))[0]


async def test_a_debt_message_read_as_two_situations_names_the_coordinator_once(chat):
    edogawa = load_directory("edogawa")
    reason = await _debt_reason(chat, "借金が返せなくて困っています")
    for centre in edogawa.centres.values():
        assert reason.count(centre.name) <= 1, reason


@pytest.mark.parametrize("language", ["ja", "ja-easy"])
async def test_keeping_a_reminded_callback_says_goro_once(chat, desk, language):
    """The reminder's 「このままでOK」 answer (reminder.kept), as the resident reads it."""
    from tests.flows.test_slots import _booked_and_reminded

    await _booked_and_reminded(chat, desk)
    (case,) = desk.cases.values()
    chat.last = chat.conversation.reminder(
        Reminder("day_before", case.number, "くらしごと", case.slot_start, "line", language=language))
    catalogue = load_catalogue(language)
    await chat.tap(catalogue.text("reminder.keep"))
    said = chat.texts()
    assert said.startswith(catalogue.text("reminder.kept", when="X").split("X")[0]), said
    assert "ごろ" in said and re.search(r"ごろ\s*ごろ", said) is None, said


@pytest.mark.parametrize("number", ["0120-123-456", "０１２０－１２３－４５６", "0570-064-556"])
async def test_a_free_dial_number_is_told_why_not_to_write_digits(chat, number):
    await _to_phone_question(chat)
    await chat.say(number)
    assert chat.texts() == t("contact.free_dial")
    assert "数字で書いてください" not in chat.texts()
    await chat.say("090-1234-5678")  # a number a person can be called on goes through
    assert chat.texts().startswith(t("confirmed.text").split("{")[0])


async def test_a_plain_debt_case_never_says_the_centre_works_with_itself(chat):
    edogawa = load_directory("edogawa")
    reason = await _debt_reason(chat, "消費者金融の借金が返せません")
    nagomi = edogawa.centre("nagomi").name
    assert reason.count(nagomi) <= 1 and f"{nagomi}が、{nagomi}" not in reason, reason
    for centre in edogawa.centres.values():
        assert reason.count(centre.name) <= 1, reason
