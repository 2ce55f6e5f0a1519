"""The conversation's phase table (flows.phases): checked when it is built, drawn beside the
flows, and a tap declared by another phase answered as stale by the engine, once."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from flows.diagram import PHASES_DIAGRAM, phase_mermaid
from flows.phases.declared import ANYTIME, TABLE, declared
from flows.phases.table import Anytime, Declared, Phase, PhaseTableError, actions_in, check
from tests.flows.conftest import t
from tests.support.conversation import to_summary


def test_every_phase_is_declared_once_with_a_prompt_and_a_text_handler():
    assert set(TABLE) == set(Phase)
    assert all(entry.prompt and entry.text for entry in TABLE.values())


def _without(phase: Phase) -> list[Declared]:
    return [entry for entry in declared() if entry.phase is not phase]


def test_a_phase_without_a_declaration_is_refused():
    with pytest.raises(PhaseTableError, match="without a declaration"):
        check(_without(Phase.FIX_PICK), ANYTIME)


def test_a_phase_declared_twice_is_refused():
    with pytest.raises(PhaseTableError, match="declared twice"):
        check([*declared(), TABLE[Phase.SLOT]], ANYTIME)


def test_a_phase_needs_a_text_handler():
    with pytest.raises(PhaseTableError, match="prompt and a text handler"):
        check([*_without(Phase.PHONE), replace(TABLE[Phase.PHONE], text="")], ANYTIME)


def test_an_action_that_means_two_things_is_refused():
    contact = replace(TABLE[Phase.CONTACT], actions={"contact": "pb_contact", "send": "pb_other"})
    with pytest.raises(PhaseTableError, match="'send' means"):
        check([*_without(Phase.CONTACT), contact], ANYTIME)


def test_a_phase_may_not_redeclare_an_anytime_action():
    slot = replace(TABLE[Phase.SLOT], actions={"slot": "pb_slot", "cmd": "pb_slot"})
    with pytest.raises(PhaseTableError, match="anytime"):
        check([*_without(Phase.SLOT), slot], ANYTIME)


def test_a_phase_nothing_leads_to_is_refused():
    summary = replace(TABLE[Phase.SUMMARY], leads_to=(Phase.SLOT,))  # 直す no longer reachable
    with pytest.raises(PhaseTableError, match="nothing leads to.*fix_pick"):
        check([*_without(Phase.SUMMARY), summary], ANYTIME)
    anytime = Anytime(actions=ANYTIME.actions, leads_to=(Phase.NEW,))  # no command deletes
    with pytest.raises(PhaseTableError, match="nothing leads to"):
        check(declared(), anytime)


def test_the_phase_diagram_draws_every_phase_edge_and_tap():
    drawn = phase_mermaid(declared(), ANYTIME)
    for entry in TABLE.values():
        assert f"({entry.phase})" in drawn
        for target in entry.leads_to:
            assert f"  {entry.phase} --> {target}\n" in drawn
        for action in entry.actions:
            assert action in drawn
    for target in ANYTIME.leads_to:
        assert f"  anytime -.-> {target}\n" in drawn


def test_committed_phase_diagram_is_current():
    committed = Path("docs/flows") / PHASES_DIAGRAM
    assert committed.read_text(encoding="utf-8") == phase_mermaid(declared(), ANYTIME), "run python -m flows diagram"


# Taps of other phases, with the fields a real button of theirs carries.
TAPS = {
    "start": "a=start&f=debt", "answer": "a=answer&s=amount&v=under_50", "skip": "a=skip",
    "consent": "a=consent&v=yes", "send": "a=send", "fix": "a=fix", "fixstep": "a=fixstep&s=who",
    "slot": "a=slot&v=2026-12-03T10:00:00%2B09:00", "day": "a=day", "contact": "a=contact&v=line",
    "urgent": "a=urgent&v=yes", "erase": "a=erase&v=yes", "addmsg": "a=addmsg", "new": "a=new",
}


def test_every_phase_action_has_a_tap_here():
    assert set(TAPS) == actions_in(TABLE)


@pytest.mark.parametrize("action", sorted(set(TAPS) - set(TABLE[Phase.SUMMARY].actions)))
async def test_a_tap_of_another_phase_is_answered_as_stale_once_and_changes_nothing(chat, state, action):
    await to_summary(chat, "debt")
    card = chat.card()
    before = state.peek(chat.resident)
    replies = await chat.conversation.on_postback(chat.resident, TAPS[action], None)
    assert [r.text for r in replies[:1]] == [t("conversation.stale_button")]
    assert replies[1:] == [card]  # where the resident is: the summary card, asked again
    after = state.peek(chat.resident)
    assert after is not None and before is not None
    assert {k: v for k, v in after.items() if k != "last"} == {k: v for k, v in before.items() if k != "last"}


@pytest.mark.parametrize("action", sorted(set(TAPS) - set(TABLE[Phase.CHOOSE].actions)))
async def test_a_tap_of_another_phase_on_the_menu_gets_the_menu_again(chat, action):
    await chat.say("こんにちは")
    menu = chat.last[-1]
    replies = await chat.conversation.on_postback(chat.resident, TAPS[action], None)
    assert replies[0].text == t("conversation.stale_button")
    assert replies[1:] == [menu]


async def test_a_flow_to_its_case_moves_only_as_the_table_declares(chat, state):
    """tests/flows' state store refuses an undeclared move (conftest.DeclaredMovesOnly), so
    every conversation test checks the table; here, the moves of one whole case."""
    await to_summary(chat, "debt")
    await chat.tap(t("summary.fix"))
    await chat.tap(t("flows.debt.amount.label"))
    await chat.say("100万円")
    await chat.tap(t("summary.send"))
    await chat.tap_first_slot()
    await chat.tap(t("contact.phone"))
    await chat.say("090-1234-5678")
    assert [after for before, after in state.moves if after != before] == [
        Phase.ASK, Phase.CONSENT, Phase.SUMMARY, Phase.FIX_PICK, Phase.ASK, Phase.SUMMARY, Phase.SLOT,
        Phase.CONTACT, Phase.PHONE,
    ]
    assert state.peek(chat.resident) is None  # handed off: nothing kept


async def test_the_tests_state_store_refuses_an_undeclared_move(state):
    await state.save("someone", {"phase": "choose"})
    with pytest.raises(AssertionError, match="undeclared move choose -> phone"):
        await state.save("someone", {"phase": "phone"})
