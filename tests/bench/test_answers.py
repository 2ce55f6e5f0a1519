"""Answers that reached the fake API are matched to the events they answer."""

from __future__ import annotations

from bench.answers import attribute
from bench.line_control import Delivered
from bench.load import Sent, text


def _sent(resident: str, at: float) -> Sent:
    return Sent(text(resident, "こんにちは", "first"), first_sent=at)


def _delivered(seq: int, kind: str, chat: str, at: float, token: str | None = None) -> Delivered:
    return Delivered(seq, kind, chat, at, None, token, ("text",), ())


def test_replies_by_token_pushes_by_order_and_a_second_answer_counts_twice() -> None:
    first, second, other = _sent("Ua", 100.0), _sent("Ua", 101.0), _sent("Ub", 100.5)
    deliveries = [
        _delivered(1, "reply", "Ua", 100.2, second.planned.reply_token),  # answers the second, by token
        _delivered(2, "push", "Ua", 103.0),  # the first's answer, pushed late
        _delivered(3, "push", "Ua", 104.0),  # everything answered: a second answer to the last
        _delivered(4, "push", "Uc", 104.0),  # not ours
    ]

    outcomes = attribute([first, second, other], deliveries)

    assert [len(o.answers) for o in outcomes] == [1, 2, 0]
    assert outcomes[0].latency == 3.0 and outcomes[1].twice and not outcomes[2].answered
