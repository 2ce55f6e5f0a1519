"""The conversation state as the store keeps it: typed, versioned JSON, and states written
by an earlier release (no version) still read, or politely expired when they cannot be."""

from __future__ import annotations

import pytest

from flows.phases.state import VERSION, ConsentRecord, ConversationState, DangerRecord
from flows.phases.table import Phase
from tests.flows.conftest import t


def test_the_json_is_versioned_and_holds_only_what_differs_from_a_fresh_state():
    st = ConversationState(phase=Phase.ASK, flow="debt", step="amount", situations=["debt"],
                           answers={"who": "self"}, history=["who", "amount"], lang="en")
    assert st.to_json() == {"v": VERSION, "phase": "ask", "flow": "debt", "step": "amount",
                            "situations": ["debt"], "answers": {"who": "self"}, "history": ["who", "amount"],
                            "lang": "en"}
    assert ConversationState().to_json() == {"v": VERSION}


def test_a_state_reads_back_as_it_was_written():
    st = ConversationState(
        phase=Phase.CONTACT, flow="debt", situations=["debt"], urgent=True, said="借金が",
        consent=ConsentRecord(version="2026-04:abc", scope=["handoff"], at="2026-12-02T10:00:00+09:00"),
        danger=DangerRecord(kinds=["suicidal"], words="もう死にたい"), centre="seikatsu",
        slot="2026-12-03T10:00:00+09:00", return_phase=Phase.SUMMARY, rem_return=Phase.NEW, lang="ja-easy",
        lang_chosen=True, last=1.5,
    )
    assert ConversationState.from_json(st.to_json()) == st


def test_an_unversioned_state_from_an_earlier_release_is_read():
    before_versions = {"phase": "summary", "flow": "debt", "situations": ["debt"], "answers": {"who": "self"},
                       "prefilled": [], "history": ["who"], "urgent": False,
                       "consent": {"version": "1", "scope": ["handoff"], "at": "2026-12-02T10:00:00+09:00"},
                       "lang": "en", "last": 1764637200.0}
    st = ConversationState.from_json(before_versions)
    assert st is not None
    assert (st.phase, st.answers, st.consent) == (Phase.SUMMARY, {"who": "self"},
                                                   ConsentRecord("1", ["handoff"], "2026-12-02T10:00:00+09:00"))


@pytest.mark.parametrize("raw", [
    {"v": VERSION + 1, "phase": "ask"},  # written by a later release
    {"phase": "ask", "answers": "not a mapping"},
    {"phase": "consent", "consent": {"version": "1"}},  # a record missing its fields
    {"phase": "ask", "urgent": "yes"},
    {"phase": "ask", "last": "yesterday"},
])
def test_a_state_this_release_cannot_read_is_refused(raw):
    assert ConversationState.from_json(raw) is None


def test_an_unknown_phase_reads_as_a_new_conversation():
    st = ConversationState.from_json({"phase": "a_phase_since_removed", "flow": "debt"})
    assert st is not None and st.phase is Phase.NEW


def test_reset_keeps_the_language_and_clear_does_not():
    st = ConversationState(phase=Phase.ASK, flow="debt", lang="en", lang_chosen=True, urgent=True)
    st.reset(phase=Phase.CHOOSE)
    assert st == ConversationState(phase=Phase.CHOOSE, lang="en", lang_chosen=True)
    st.clear()
    assert st == ConversationState()
    assert not ConversationState(lang="en", lang_chosen=True, last=3.0).worth_saving()
    assert ConversationState(phase=Phase.CHOOSE).worth_saving()


async def test_an_unversioned_state_in_the_store_goes_on_where_it_was(chat, state, clock):
    """A resident mid-flow when the release changed: their next answer is taken."""
    await state.save(chat.resident, {"phase": "ask", "flow": "debt", "step": "who", "situations": ["debt"],
                                     "answers": {}, "prefilled": [], "history": ["who"],
                                     "last": clock().timestamp()})
    await chat.say(t("flows.common.who.self"))
    assert t("flows.debt.trouble.ask") in chat.texts()  # the next question of the debt flow
    saved = state.peek(chat.resident)
    assert saved is not None and saved["v"] == VERSION and saved["answers"] == {"who": "self"}


async def test_a_state_from_a_later_release_is_expired_politely(chat, state, clock):
    await state.save(chat.resident, {"v": VERSION + 1, "phase": "somewhere_new", "last": clock().timestamp()})
    await chat.say("こんにちは")
    assert chat.texts().startswith(t("conversation.expired"))
    assert t("conversation.choose") in chat.texts()
