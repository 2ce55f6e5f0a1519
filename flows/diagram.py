"""Mermaid diagrams of the flows, for staff to review what a resident will be asked, and of
the conversation's phases around them."""

from __future__ import annotations

from pathlib import Path

from flows.catalogue import Catalogue
from flows.definition import END, Flow
from flows.phases.declared import ANYTIME, declared
from flows.phases.table import Anytime, Declared, Phase

DOCS_DIR = Path(__file__).resolve().parent.parent / "docs" / "flows"
PHASES_DIAGRAM = "phases.mmd"  # the conversation's phases, beside the flows' own diagrams


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


def phase_mermaid(declared: tuple[Declared, ...], anytime: Anytime) -> str:
    """The conversation's phases (flows.phases.declared) as a Mermaid flowchart: what each
    phase leads to, the taps it accepts, and what can happen in any phase."""
    lines = ["flowchart TD"]
    for entry in declared:
        taps = f"<br/>taps: {', '.join(entry.actions)}" if entry.actions else ""
        shape = ('(["', '"])') if entry.phase is Phase.NEW else ('["', '"]')
        lines.append(f"  {entry.phase}{shape[0]}{_quote(entry.about)}<br/>({entry.phase}){taps}{shape[1]}")
    for entry in declared:
        lines += [f"  {entry.phase} --> {target}" for target in entry.leads_to]
        if entry.returns:
            lines.append(f'  {entry.phase} -.->|"元の段階へ"| interrupted(("中断した段階"))')
    lines.append('  anytime{{"どの段階でも: 危険な言葉・やめる・最初から・戻る・人と話したい・消して・言語・リマインダー'
                 f'<br/>taps: {", ".join(anytime.actions)}"}}}}')
    lines += [f"  anytime -.-> {target}" for target in anytime.leads_to]
    return "\n".join(lines) + "\n"


def write_phase_diagram(directory: Path = DOCS_DIR) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / PHASES_DIAGRAM
    path.write_text(phase_mermaid(declared(), ANYTIME), encoding="utf-8")
    return path
