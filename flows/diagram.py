"""Mermaid diagrams of the flows, for staff to review what a resident will be asked."""

from __future__ import annotations

from pathlib import Path

from flows.catalogue import Catalogue
from flows.definition import END, Flow

DOCS_DIR = Path(__file__).resolve().parent.parent / "docs" / "flows"


def _quote(text: str) -> str:
    return text.replace('"', "'").replace("\n", " ")


def mermaid(flow: Flow, catalogue: Catalogue) -> str:
    """The flow as a Mermaid flowchart: steps, answer-dependent edges, and what follows END."""
    lines = [
        "flowchart TD",
        f'  first(["{_quote(catalogue.text(flow.title))}"]) --> ack["{_quote(catalogue.text(flow.acknowledge).splitlines()[0])}"]',
        f"  ack --> {flow.start}",
    ]
    for step in flow.steps.values():
        lines.append(f'  {step.id}["{_quote(catalogue.text(step.label))}<br/>({step.kind})"]')
        branched = [o for o in step.options if o.next and o.next != step.next]
        for option in branched:
            target = "consent" if option.next == END else option.next
            lines.append(f'  {step.id} -->|"{_quote(catalogue.text(option.label))}"| {target}')
        target = "consent" if step.next == END else step.next
        lines.append(f"  {step.id} --> {target}")
    lines += [
        '  consent{"同意"} -->|同意する| summary["確認カード"]',
        '  consent -->|同意しない| refused(["窓口の連絡先だけ案内・状態を消す"])',
        '  summary -->|直す| fix["直す答えを選ぶ"] --> summary',
        '  summary -->|送る| slot["連絡の日時"] --> contact["連絡の方法"] --> handoff(["相談窓口へ引き継ぎ"])',
        '  danger(["危険な言葉（どの入力でも）"]) -.-> emergency["緊急の案内・急ぎの連絡"]',
    ]
    return "\n".join(lines) + "\n"


def write_diagrams(flows: dict[str, Flow], catalogue: Catalogue, directory: Path = DOCS_DIR) -> list[Path]:
    directory.mkdir(parents=True, exist_ok=True)
    written = []
    for flow in flows.values():
        path = directory / f"{flow.id}.mmd"
        path.write_text(mermaid(flow, catalogue), encoding="utf-8")
        written.append(path)
    return written
