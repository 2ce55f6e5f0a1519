"""Which answer that reached the fake Messaging API belongs to which sent event.

A reply carries the reply token of the event it answers, so it is matched exactly. A push
(the reply token was refused or had expired) is matched to the earliest event of that chat
still without an answer; a push to a chat whose events are all answered is a second answer
to the last of them.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from bench.line_control import Delivered
from bench.load import Sent


@dataclass
class Outcome:
    sent: Sent
    answers: list[Delivered]

    @property
    def answered(self) -> bool:
        return bool(self.answers)

    @property
    def twice(self) -> bool:
        return len(self.answers) > 1

    @property
    def latency(self) -> float | None:
        """Seconds from the first send to the first answer reaching the Messaging API."""
        return self.answers[0].at - self.sent.first_sent if self.answers else None


def attribute(sent: list[Sent], deliveries: list[Delivered]) -> list[Outcome]:
    outcomes = [Outcome(s, []) for s in sent]
    by_token = {s.planned.event.get("replyToken"): o for s, o in zip(sent, outcomes, strict=True)}
    by_chat: dict[str, list[Outcome]] = defaultdict(list)
    for outcome in sorted(outcomes, key=lambda o: o.sent.first_sent):
        by_chat[outcome.sent.planned.resident].append(outcome)
    for delivery in sorted(deliveries, key=lambda d: d.seq):
        if delivery.kind == "reply" and delivery.reply_token in by_token:
            by_token[delivery.reply_token].answers.append(delivery)
            continue
        candidates = [o for o in by_chat.get(delivery.chat, []) if o.sent.first_sent <= delivery.at]
        if not candidates:
            continue  # not one of ours (staging, another run)
        waiting = next((o for o in candidates if not o.answers), None)
        (waiting or candidates[-1]).answers.append(delivery)
    return outcomes


def percentile(values: list[float], p: float) -> float:
    """Nearest-rank percentile; NaN for no values."""
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]


def seconds(value: float) -> str:
    return "—" if value != value else f"{value:.2f} s"  # NaN prints as a dash


def milliseconds(value: float) -> str:
    if value == float("inf"):
        return "timed out"
    return "—" if value != value else f"{value * 1000:.1f} ms"
