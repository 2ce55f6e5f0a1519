"""``python -m flows check`` validates every flow and the phase table; ``python -m flows diagram``
draws them (docs/flows/<flow>.mmd, docs/flows/phases.mmd)."""

from __future__ import annotations

import argparse
from pathlib import Path

from flows.catalogue import load_catalogue
from flows.definition import check_situations, load_flows
from flows.diagram import DOCS_DIR, write_diagrams, write_phase_diagram
from flows.phases.declared import TABLE


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m flows")
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("check", help="load and check every flow in data/flows")
    diagram = sub.add_parser("diagram", help="write docs/flows/<flow>.mmd and phases.mmd")
    diagram.add_argument("--out", type=Path, default=DOCS_DIR)
    args = parser.parse_args(argv)
    catalogue = load_catalogue()
    flows = load_flows(catalogue)  # raises FlowDefinitionError on an inconsistent graph
    check_situations(flows)  # every situation the NLU names leads to one flow
    if args.command == "diagram":
        for path in [*write_diagrams(flows, catalogue, args.out), write_phase_diagram(args.out)]:
            print(path)
    else:  # the phase table was checked when flows.phases.declared was imported
        print(f"{len(flows)} flows ok: {', '.join(sorted(flows))}; {len(TABLE)} conversation phases ok")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
