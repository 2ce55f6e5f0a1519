"""Guided flows as data: ``data/flows/*.yml`` loaded into checked, immutable definitions.

Like python-telegram-bot's ConversationHandler, a flow is a graph of states (steps) with
an explicit ``END``; unlike it, the graph is data, so staff can reword or add a flow
without code.  ``load_flows`` refuses an inconsistent graph (a target step that does not
exist, a message key missing from the catalogue, an unknown answer kind) at load time.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from flows.catalogue import Catalogue
from flows.limits import QUICK_REPLIES_MAX
from nlu.contract import SITUATIONS

FLOWS_DIR = Path(__file__).resolve().parent.parent / "data" / "flows"
END = "END"
# How an answer is read; see flows.answers.
ANSWER_KINDS = ("choice", "text", "age", "duration", "amount", "area")
ENTITY_TYPES = ("age", "relation", "duration", "amount", "area")
# A flow's place on the menu when its file gives none (``order``): after the named ones.
MENU_ORDER = 50


class FlowDefinitionError(ValueError):
    """A flow file that would lead a resident into a dead end or a missing sentence."""


@dataclass(frozen=True)
class Option:
    value: str
    label: str  # message key
    match: tuple[str, ...] = ()  # words that, typed freely, mean this option
    next: str | None = None  # overrides the step's ``next``
    # Routing facts this answer tells (e.g. disability: true brings in 基幹相談支援センター).
    facts: tuple[tuple[str, Any], ...] = ()


@dataclass(frozen=True)
class Prefill:
    """Which NLU entity answers this step: its type, and optionally whose it must be."""

    type: str
    owners: tuple[str, ...] = ()


@dataclass(frozen=True)
class Step:
    id: str
    ask: str  # message key of the question
    label: str  # message key of the row label in the summary
    kind: str
    options: tuple[Option, ...] = ()
    next: str = END
    reask: str = "flows.common.reask"
    prefill: Prefill | None = None
    # The routing fact a free answer gives (``age``: the number in "85歳").
    fact: str | None = None

    def option(self, value: str) -> Option | None:
        return next((o for o in self.options if o.value == value), None)

    def targets(self) -> set[str]:
        return {self.next} | {o.next for o in self.options if o.next}


@dataclass(frozen=True)
class Flow:
    id: str
    title: str  # message key: what the situation is called in the summary
    acknowledge: str  # message key: the short empathetic first answer
    start: str
    steps: dict[str, Step]
    situations: tuple[str, ...] = ()  # NLU intents that lead here
    choice: str | None = None  # message key of its button on the menu; None: not on the menu
    order: int = MENU_ORDER  # its place on the menu, lowest first

    def step(self, step_id: str) -> Step:
        return self.steps[step_id]

    def message_keys(self) -> set[str]:
        keys = {self.title, self.acknowledge} | ({self.choice} if self.choice else set())
        for step in self.steps.values():
            keys |= {step.ask, step.label, step.reask}
            keys |= {o.label for o in step.options}
        return keys


def _option(raw: dict[str, Any]) -> Option:
    if not isinstance(raw.get("value"), str):
        # YAML reads yes/no/50_300 as bool or int: quote such values in the flow file.
        raise FlowDefinitionError(f"option value {raw.get('value')!r} must be a quoted string")
    return Option(
        value=str(raw["value"]),
        label=str(raw["label"]),
        match=tuple(str(m) for m in raw.get("match", ()) or ()),
        next=str(raw["next"]) if raw.get("next") else None,
        facts=tuple((raw.get("facts") or {}).items()),
    )


def _step(step_id: str, raw: dict[str, Any]) -> Step:
    prefill = raw.get("prefill")
    if isinstance(prefill, str):
        prefill = {"type": prefill}
    return Step(
        id=step_id,
        ask=str(raw["ask"]),
        label=str(raw["label"]),
        kind=str(raw.get("kind", "choice")),
        options=tuple(_option(o) for o in raw.get("options", ()) or ()),
        next=str(raw.get("next", END)),
        reask=str(raw.get("reask", "flows.common.reask")),
        prefill=Prefill(str(prefill["type"]), tuple(prefill.get("owners", ()) or ()))
        if prefill
        else None,
        fact=str(raw["fact"]) if raw.get("fact") else None,
    )


def parse_flow(raw: dict[str, Any]) -> Flow:
    try:
        steps = {str(k): _step(str(k), v) for k, v in (raw.get("steps") or {}).items()}
        return Flow(
            id=str(raw["id"]),
            title=str(raw["title"]),
            acknowledge=str(raw["acknowledge"]),
            start=str(raw["start"]),
            steps=steps,
            situations=tuple(raw.get("situations", ()) or ()),
            choice=str(raw["choice"]) if raw.get("choice") else None,
            order=int(raw.get("order", MENU_ORDER)),
        )
    except (KeyError, TypeError, ValueError) as exc:
        raise FlowDefinitionError(f"flow {raw.get('id', '?')}: missing or bad field {exc}") from exc


def check_flow(flow: Flow, catalogue: Catalogue) -> None:
    """Every target exists, every step is reachable, every key has a sentence."""
    where = f"flow {flow.id}"
    if not 1 <= len(flow.steps) <= 5:
        raise FlowDefinitionError(f"{where}: {len(flow.steps)} questions (keep it to 1-5)")
    if flow.start not in flow.steps:
        raise FlowDefinitionError(f"{where}: start step {flow.start!r} does not exist")
    for step in flow.steps.values():
        if step.kind not in ANSWER_KINDS:
            raise FlowDefinitionError(f"{where}.{step.id}: unknown kind {step.kind!r}")
        if step.kind == "choice" and not step.options:
            raise FlowDefinitionError(f"{where}.{step.id}: a choice needs options")
        if len(step.options) > QUICK_REPLIES_MAX - 1:  # one quick reply is kept for 戻る
            raise FlowDefinitionError(f"{where}.{step.id}: too many options")
        if step.prefill and step.prefill.type not in ENTITY_TYPES:
            raise FlowDefinitionError(f"{where}.{step.id}: unknown prefill {step.prefill.type!r}")
        for target in step.targets():
            if target != END and target not in flow.steps:
                raise FlowDefinitionError(f"{where}.{step.id}: target {target!r} does not exist")
        values = [o.value for o in step.options]
        if len(values) != len(set(values)):
            raise FlowDefinitionError(f"{where}.{step.id}: duplicate option values")
    reachable: set[str] = set()
    frontier = [flow.start]
    while frontier:
        current = frontier.pop()
        if current == END or current in reachable:
            continue
        reachable.add(current)
        frontier.extend(flow.steps[current].targets())
    unreachable = set(flow.steps) - reachable
    if unreachable:
        raise FlowDefinitionError(f"{where}: unreachable steps {sorted(unreachable)}")
    _check_ends(flow)
    missing = sorted(k for k in flow.message_keys() if k not in catalogue)
    if missing:
        raise FlowDefinitionError(f"{where}: message keys missing from the catalogue: {missing}")


def _check_ends(flow: Flow) -> None:
    """No cycles: every path must reach END, or a resident could be asked forever."""
    visiting: set[str] = set()
    done: set[str] = set()

    def visit(step_id: str) -> None:
        if step_id == END or step_id in done:
            return
        if step_id in visiting:
            raise FlowDefinitionError(f"flow {flow.id}: cycle through {step_id!r}")
        visiting.add(step_id)
        for target in flow.steps[step_id].targets():
            visit(target)
        visiting.discard(step_id)
        done.add(step_id)

    visit(flow.start)


def load_flows(catalogue: Catalogue, directory: Path = FLOWS_DIR) -> dict[str, Flow]:
    flows: dict[str, Flow] = {}
    for path in sorted(directory.glob("*.yml")):
        raw = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        flow = parse_flow(raw)
        if flow.id in flows:
            raise FlowDefinitionError(f"flow {flow.id} defined twice ({path.name})")
        check_flow(flow, catalogue)
        flows[flow.id] = flow
    return flows


def menu(flows: dict[str, Flow]) -> tuple[Flow, ...]:
    """The flows a resident can choose from the menu, in their declared order."""
    return tuple(sorted((f for f in flows.values() if f.choice), key=lambda f: (f.order, f.id)))


def situation_flows(flows: dict[str, Flow]) -> dict[str, Flow]:
    """Which flow each situation intent leads to (the first flow, by file name, that names it)."""
    found: dict[str, Flow] = {}
    for flow in flows.values():
        for situation in flow.situations:
            found.setdefault(situation, flow)
    return found


def check_situations(flows: dict[str, Flow], known: tuple[str, ...] = SITUATIONS) -> None:
    """Every situation the NLU contract names leads to exactly one flow."""
    claimed: dict[str, list[str]] = {}
    for flow in flows.values():
        for situation in flow.situations:
            claimed.setdefault(situation, []).append(flow.id)
    if unled := sorted(s for s in known if s not in claimed):
        raise FlowDefinitionError(f"situations no flow leads from: {unled}")
    if twice := {s: ids for s, ids in claimed.items() if len(ids) > 1}:
        raise FlowDefinitionError(f"situations claimed by more than one flow: {twice}")


def flow_for_situation(flows: dict[str, Flow], situation: str) -> Flow | None:
    return next((f for f in flows.values() if situation in f.situations), None)
