"""Validate heldout.jsonl and print label counts (used to write README.md)."""
import collections, json, pathlib, sys

LABELS = {"debt", "family_8050", "double_care", "hikikomori", "housing_refusal",
          "crisis", "other_welfare", "out_of_scope", "greet", "human"}
SITS = {"debt", "family_8050", "double_care", "hikikomori", "housing_refusal", "other_welfare"}

path = pathlib.Path(__file__).with_name("heldout.jsonl")
rows = []
for i, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
    r = json.loads(line)
    assert set(r) == {"text", "intent", "situations", "crisis"}, i
    assert isinstance(r["text"], str) and r["text"].strip(), i
    assert r["intent"] in LABELS, i
    assert isinstance(r["crisis"], bool), i
    assert all(s in SITS for s in r["situations"]), i
    if r["intent"] in SITS:
        assert r["intent"] in r["situations"], i
    if r["intent"] in {"out_of_scope", "greet", "human"}:
        assert not r["situations"] and not r["crisis"], i
    assert (r["intent"] == "crisis") == r["crisis"], i
    rows.append(r)
assert len({r["text"] for r in rows}) == len(rows), "duplicate texts"

print(f"lines: {len(rows)}")
print("intent:")
for k, v in collections.Counter(r["intent"] for r in rows).most_common():
    print(f"  {k}: {v}")
print(f"crisis: true {sum(r['crisis'] for r in rows)}, false {sum(not r['crisis'] for r in rows)}")
print("situation mentions:")
for k, v in collections.Counter(s for r in rows for s in r["situations"]).most_common():
    print(f"  {k}: {v}")
print(f"messages with 2+ situations: {sum(len(r['situations']) >= 2 for r in rows)}"
      f" (3: {sum(len(r['situations']) == 3 for r in rows)})")
print(f"crisis=true with a situation: {sum(r['crisis'] and bool(r['situations']) for r in rows)}")
