"""A realistic mix of resident traffic: first messages, flow answers, returning residents.

- **first**: a new resident's first message, in their own words (NLU, a flow starts).
- **flow**: a resident already in a guided flow taps the next answer. Paths are walked from
  ``data/flows/*.yml`` (each option's ``next``, else the step's), then consent and 送る, so
  every postback advances the conversation; residents enter their flow during staging by
  tapping the flow in the menu (``a=start``), which prefills nothing.
- **returning**: a resident whose case was handed to a centre writes again (the open-case
  lookup, then a message added to the case). Staging walks them through a whole flow, as a
  resident would, tapping the buttons each answer offers.
"""

from __future__ import annotations

import asyncio
import heapq
import itertools
import random
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import parse_qsl, urlencode

import yaml

from bench.line_control import Delivered, LineControl
from bench.load import LineSender, Planned, postback, text

FIRST_MESSAGES = [
    "借金が返せなくて困っています",
    "息子がずっと部屋から出てきません",
    "80代の母と50代の息子のことで相談したいです",
    "年齢を理由に部屋を貸してもらえません",
    "親の介護と子育てが重なってしまって",
    "家賃を3か月滞納しています",
    "仕事を失って生活費が足りません",
    "兄が10年ひきこもっています",
    "相談したいことがあります",
    "こんにちは",
    "アパートの更新を断られました",
    "カードローンの返済がきついです",
    "認知症の父の世話と赤ちゃんの世話で眠れない",
    "I lost my job and can't pay rent",
    "どこに相談すればいいかわかりません",
    "娘が学校に行かなくなって半年です",
]
RETURNING_MESSAGES = ["先日相談した件です", "まだ連絡がありません", "電話は夕方だと助かります", "よろしくお願いします"]
# Buttons a staged resident taps, in order of preference, to reach a handed-over case.
_TAPS = (("answer", None), ("consent", "yes"), ("send", None), ("slot", None), ("contact", "line"))


def resident_id() -> str:
    return "U" + uuid.uuid4().hex


def flow_paths(flows_dir: Path) -> dict[str, list[str]]:
    """Per flow, the postbacks that walk it from its first question to the callback slot."""
    paths: dict[str, list[str]] = {}
    for file in sorted(flows_dir.glob("*.yml")):
        flow = yaml.safe_load(file.read_text(encoding="utf-8"))
        steps, step, taps = flow["steps"], flow["start"], []
        rng = random.Random(flow["id"])
        while step in steps:
            every = steps[step].get("options", [])
            options = [o for o in every if o["value"] != "skip"] or every
            option = rng.choice(options)
            taps.append(urlencode({"a": "answer", "s": step, "v": option["value"]}))
            step = option.get("next") or steps[step].get("next") or "END"
        paths[flow["id"]] = [*taps, urlencode({"a": "consent", "v": "yes"}), urlencode({"a": "send"})]
    return paths


@dataclass(order=True)
class _Walker:
    """A resident with events still to send; ``free_at`` keeps their pace human."""

    free_at: float
    resident: str = field(compare=False)
    events: Iterator[tuple[str, str]] = field(compare=False)  # (kind of payload, payload)


@dataclass
class Mix:
    first: float = 0.5
    flow: float = 0.35
    returning: float = 0.15
    flow_gap_s: float = 1.0  # a resident reads a question before tapping the next answer
    returning_gap_s: float = 2.0

    @classmethod
    def parse(cls, spec: str) -> Mix:
        shares = {k: float(v) for k, v in (part.split("=") for part in spec.split(","))}
        return cls(**shares)


@dataclass
class Plan:
    events: list[Planned]
    flow_starts: dict[str, str]  # resident -> flow to enter during staging
    returning: list[str]  # residents to walk to a handed-over case during staging


def plan_mix(mix: Mix, rate: float, seconds: float, warmup: float, flows_dir: Path, seed: int = 7) -> Plan:
    """Events at ``rate`` per second for ``warmup + seconds``; the warm-up is not measured."""
    rng = random.Random(seed)
    paths = flow_paths(flows_dir)
    walkers: dict[str, list[_Walker]] = {"flow": [], "returning": []}
    plan = Plan([], {}, [])
    kinds, weights = ["first", "flow", "returning"], [mix.first, mix.flow, mix.returning]
    for i in range(int(rate * (seconds + warmup))):
        offset = i / rate
        kind = rng.choices(kinds, weights)[0]
        measured = offset >= warmup
        if kind == "first":
            words = rng.choice(FIRST_MESSAGES)
            plan.events.append(text(resident_id(), words, "first", offset=offset, measured=measured))
            continue
        pool = walkers[kind]
        payload = None
        while payload is None:  # a resident whose flow is done leaves; a fresh one comes
            if not pool or pool[0].free_at > offset:
                heapq.heappush(pool, _new_walker(plan, kind, paths))
            walker = heapq.heappop(pool)
            payload = next(walker.events, None)
        make = postback if payload[0] == "postback" else text
        plan.events.append(make(walker.resident, payload[1], kind, offset=offset, measured=measured))
        walker.free_at = offset + (mix.flow_gap_s if kind == "flow" else mix.returning_gap_s)
        heapq.heappush(pool, walker)
    return plan


def _new_walker(plan: Plan, kind: str, paths: dict[str, list[str]]) -> _Walker:
    """A resident joining the mix: entering a flow (in turn), or with a case to write to."""
    resident = resident_id()
    if kind == "flow":
        flow = sorted(paths)[len(plan.flow_starts) % len(paths)]
        plan.flow_starts[resident] = flow
        return _Walker(0.0, resident, iter([("postback", data) for data in paths[flow]]))
    plan.returning.append(resident)
    return _Walker(0.0, resident, (("text", w) for w in itertools.cycle(RETURNING_MESSAGES)))


def _tap(answer: Delivered | None) -> str | None:
    """The button a resident walking to a handed-over case taps next, or None."""
    if answer is None:
        return None
    buttons = [dict(parse_qsl(b.get("data", ""))) | {"_data": b.get("data", "")} for b in answer.buttons]
    for action, value in _TAPS:
        for fields in buttons:
            if fields.get("a") == action and (value is None or fields.get("v") == value):
                return fields["_data"]
    return None


async def stage(plan: Plan, sender: LineSender, line: LineControl, timeout: float = 300) -> dict[str, int]:
    """Bring the plan's residents where it expects them: in their flow, or with an open case.

    Returns how many got there, by kind."""
    reached = {"flow": 0, "returning": 0}

    async def answer_after(resident: str, seen: int) -> Delivered | None:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            mine = await line.to_chat(resident)
            if len(mine) > seen:
                return mine[-1]
            await asyncio.sleep(0.3)
        return None

    async def enter_flow(resident: str, flow: str) -> None:
        await _registered(line, sender, postback(resident, urlencode({"a": "start", "f": flow}), "stage"))
        if await answer_after(resident, 0) is not None:
            reached["flow"] += 1

    async def hand_over(resident: str) -> None:
        words = random.choice(FIRST_MESSAGES[:8])
        await _registered(line, sender, text(resident, words, "stage"))
        seen, answer = 0, await answer_after(resident, 0)
        while (data := _tap(answer)) is not None:
            seen += 1
            await _registered(line, sender, postback(resident, data, "stage"))
            answer = await answer_after(resident, seen)
            if data.startswith("a=contact"):
                reached["returning"] += answer is not None
                return

    jobs = [enter_flow(r, f) for r, f in plan.flow_starts.items()] + [hand_over(r) for r in plan.returning]
    semaphore = asyncio.Semaphore(50)  # a crowd, not a stampede: staging is not measured

    async def limited(job: object) -> None:
        async with semaphore:
            await job  # type: ignore[misc]

    await asyncio.wait_for(asyncio.gather(*(limited(j) for j in jobs)), timeout)
    return reached


async def _registered(line: LineControl, sender: LineSender, planned: Planned) -> None:
    await line.register_tokens([(planned.reply_token, planned.resident, time.time())])
    sender.send(planned)


def stale_texts(repo: Path) -> list[str]:
    """The first lines of the answers to a stale or unclear button, from the target's data:
    an answer that contains one means the mix tapped something the conversation did not
    expect."""
    found: list[str] = []

    def walk(node: object, key: str) -> None:
        if isinstance(node, dict):
            for k, v in node.items():
                walk(v, str(k))
        elif isinstance(node, str) and key in ("stale_button", "unclear_button"):
            found.append(node.strip().splitlines()[0])

    for file in sorted((repo / "data" / "messages").rglob("*.yml")):
        walk(yaml.safe_load(file.read_text(encoding="utf-8")), "")
    return found
