"""A new flow needs only data: a YAML flow file and its messages make it appear on the menu
and lead a resident with its situation into it; the menu and the situation map are read
from the flows, and every situation the NLU contract names leads to exactly one flow."""

from __future__ import annotations

import shutil
from dataclasses import replace
from pathlib import Path

import pytest
import yaml

from flows.catalogue import MESSAGES_DIR, load_catalogue
from flows.conversation import Conversation
from flows.definition import FLOWS_DIR, FlowDefinitionError, check_situations, load_flows, menu
from nlu.contract import SITUATIONS, Understanding
from tests.flows.conftest import Chat

NEW_FLOW = {
    "id": "loneliness",
    "title": "flows.loneliness.title",
    "acknowledge": "flows.loneliness.ack",
    "situations": ["loneliness"],
    "choice": "flows.loneliness.choice",
    "order": 6,
    "start": "since",
    "steps": {"since": {"ask": "flows.loneliness.since.ask", "label": "flows.loneliness.since.label",
                        "kind": "duration"}},
}
NEW_MESSAGES = {"flows": {"loneliness": {
    "title": "ひとりでさびしい", "ack": "話してくださってありがとうございます。", "choice": "さびしさ",
    "since": {"ask": "いつごろからですか。", "label": "いつから"},
}}}
LONELY = "だれとも話さない日がつづいています"


class LearnedLoneliness:
    """The real NLU, having learnt the new situation (teaching it is the NLU's own data,
    data/nlu, and not what this test is about)."""

    def __init__(self, real) -> None:
        self._real = real

    async def understand(self, text: str) -> Understanding:
        if text == LONELY:
            return Understanding(intent="loneliness", confidence=0.9, situations=["loneliness"])
        return await self._real.understand(text)

    def danger(self, text: str) -> bool:
        return bool(self._real.danger(text))


@pytest.fixture
def with_new_flow(tmp_path: Path, understander, desk, state, clock) -> Chat:
    flows_dir, messages_dir = tmp_path / "flows", tmp_path / "messages"
    shutil.copytree(FLOWS_DIR, flows_dir)
    shutil.copytree(MESSAGES_DIR, messages_dir)
    (flows_dir / "loneliness.yml").write_text(yaml.safe_dump(NEW_FLOW, allow_unicode=True), encoding="utf-8")
    (messages_dir / "ja" / "loneliness.yml").write_text(yaml.safe_dump(NEW_MESSAGES, allow_unicode=True),
                                                        encoding="utf-8")
    catalogue = load_catalogue("ja", messages_dir)
    flows = load_flows(catalogue, flows_dir)
    return Chat(Conversation(state=state, catalogue=catalogue, understander=LearnedLoneliness(understander),
                             desk=desk, flows=flows, clock=clock))


async def test_a_flow_added_as_data_is_on_the_menu(with_new_flow: Chat):
    chat = with_new_flow
    await chat.say("こんにちは")
    labels = [b.label for b in chat.buttons()]
    assert labels[5:] == ["さびしさ", "その他のこと"]  # its declared place, before the open path
    await chat.tap("さびしさ")
    assert chat.texts() == "話してくださってありがとうございます。\nいつごろからですか。"


async def test_a_flow_added_as_data_is_chosen_for_its_situation(with_new_flow: Chat):
    chat = with_new_flow
    await chat.say(LONELY)
    assert chat.texts() == "話してくださってありがとうございます。\nいつごろからですか。"
    await chat.say("こんにちは")  # answered as typed text by the duration question, not a new menu
    assert "いつごろからですか。" in chat.texts()


def test_the_menu_is_the_flows_in_their_declared_order():
    flows = load_flows(load_catalogue())
    assert [f.id for f in menu(flows)] == [
        "debt", "family_8050", "double_care", "hikikomori", "housing_refusal", "general",
    ]


def test_every_situation_of_the_nlu_contract_leads_to_one_flow():
    flows = load_flows(load_catalogue())
    check_situations(flows)
    assert {s for f in flows.values() for s in f.situations} >= set(SITUATIONS)
    without_debt = {k: f for k, f in flows.items() if k != "debt"}
    with pytest.raises(FlowDefinitionError, match="debt"):
        check_situations(without_debt)
    twice = {**flows, "debt2": replace(flows["debt"], id="debt2")}
    with pytest.raises(FlowDefinitionError, match="more than one flow"):
        check_situations(twice)
