"""Flow definitions: every shipped flow loads; inconsistent graphs are refused at load."""

from __future__ import annotations

import copy
from pathlib import Path

import pytest
import yaml

from flows.catalogue import Catalogue, load_catalogue
from flows.definition import FLOWS_DIR, FlowDefinitionError, check_flow, load_flows, parse_flow
from flows.diagram import mermaid, write_diagrams

CATALOGUE = load_catalogue()
DEBT = yaml.safe_load((FLOWS_DIR / "debt.yml").read_text(encoding="utf-8"))


def test_every_shipped_flow_loads_and_covers_each_situation():
    flows = load_flows(CATALOGUE)
    situations = {s for f in flows.values() for s in f.situations}
    assert situations == {"debt", "family_8050", "double_care", "hikikomori", "housing_refusal", "other_welfare"}
    for flow in flows.values():
        assert 2 <= len(flow.steps) <= 5, flow.id


def _broken(mutate) -> dict:
    raw = copy.deepcopy(DEBT)
    mutate(raw)
    return raw


@pytest.mark.parametrize(
    ("mutate", "complaint"),
    [
        (lambda r: r["steps"]["who"].update(next="nowhere"), "does not exist"),
        (lambda r: r.update(start="nowhere"), "start step"),
        (lambda r: r["steps"]["who"].update(ask="flows.no.such.key"), "missing from the catalogue"),
        (lambda r: r["steps"]["area"].update(next="who"), "cycle"),
        (lambda r: r["steps"]["who"].update(next="amount"), "unreachable"),
        (lambda r: r["steps"]["who"].update(kind="essay"), "unknown kind"),
        (lambda r: r["steps"]["income"].update(options=[]), "needs options"),
        (lambda r: r["steps"]["who"]["options"][0].update(value=True), "quoted string"),
    ],
)
def test_inconsistent_flow_is_refused(mutate, complaint):
    with pytest.raises(FlowDefinitionError, match=complaint):
        check_flow(parse_flow(_broken(mutate)), CATALOGUE)


def test_a_new_flow_needs_only_data(tmp_path: Path):
    raw = {
        "id": "tiny",
        "title": "t.title",
        "acknowledge": "t.ack",
        "situations": ["tiny"],
        "start": "q",
        "steps": {"q": {"ask": "t.q", "label": "t.label", "kind": "text"}},
    }
    (tmp_path / "tiny.yml").write_text(yaml.safe_dump(raw), encoding="utf-8")
    catalogue = Catalogue({"t.title": "T", "t.ack": "A", "t.q": "Q?", "t.label": "L", "flows.common.reask": "R"})
    flows = load_flows(catalogue, tmp_path)
    assert list(flows) == ["tiny"]
    assert "q[\"L<br/>(text)\"]" in mermaid(flows["tiny"], catalogue)


def test_diagram_draws_every_step_and_edge(tmp_path: Path):
    flows = load_flows(CATALOGUE)
    written = write_diagrams(flows, CATALOGUE, tmp_path)
    assert sorted(p.stem for p in written) == sorted(flows)
    text = (tmp_path / "family_8050.mmd").read_text(encoding="utf-8")
    for step_id, step in flows["family_8050"].steps.items():
        assert f"{step_id}[" in text
        target = "consent" if step.next == "END" else step.next
        assert f"{step_id} --> {target}" in text


def test_committed_diagrams_are_current():
    for flow in load_flows(CATALOGUE).values():
        committed = Path("docs/flows") / f"{flow.id}.mmd"
        assert committed.read_text(encoding="utf-8") == mermaid(flow, CATALOGUE), (
            f"run python -m flows diagram ({flow.id})"
        )
