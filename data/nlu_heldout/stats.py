"""Validate the held-out files and print their counts (the figures in README.md come from here).

Run ``python3 data/nlu_heldout/stats.py``; an AssertionError names the file and line that breaks
a label convention. It reads only this folder, never the training data.
"""
from __future__ import annotations

import collections
import json
import pathlib
from typing import Any

HERE = pathlib.Path(__file__).parent
SITS = {"debt", "family_8050", "double_care", "hikikomori", "housing_refusal", "other_welfare"}
LABELS = SITS | {"crisis", "out_of_scope", "greet", "human"}
LANGS = {"ja", "en", "zh", "ko", "vi", "ne", "tl"}
DANGER_ORDER = ["self_harm", "violence_dv", "child_abuse", "elder_abuse", "disability_abuse", "other"]
DANGER_KINDS = set(DANGER_ORDER)
ABUSE_AND_HARM = DANGER_KINDS - {"other"}
TAGS = {"idiom", "near_miss", "code_mixed", "romanised", "no_diacritics", "taglish",
        "traditional", "third_party", "indirect"}
# Language groups of multilingual.jsonl, with the least number of lines each must hold.
MINIMUM = {"en": 40, "zh": 40, "ja-easy": 40, "ko": 16, "vi": 16, "ne": 16, "tl": 16, "ja": 20}
GROUP_ORDER = list(MINIMUM)

Row = dict[str, Any]


def read_jsonl(name: str) -> list[Row]:
    lines = (HERE / name).read_text(encoding="utf-8").splitlines()
    return [json.loads(line) for line in lines]


def check_labels(r: Row, where: str) -> None:
    """The conventions shared by heldout.jsonl and multilingual.jsonl."""
    assert isinstance(r["text"], str) and r["text"].strip(), where
    assert r["intent"] in LABELS, where
    assert isinstance(r["crisis"], bool), where
    assert isinstance(r["situations"], list), where
    assert all(s in SITS for s in r["situations"]), where
    assert len(set(r["situations"])) == len(r["situations"]), where
    if r["intent"] in SITS:
        assert r["intent"] in r["situations"], where
    if r["intent"] in {"out_of_scope", "greet", "human"}:
        assert not r["situations"] and not r["crisis"], where
    assert (r["intent"] == "crisis") == r["crisis"], where


def validate_heldout() -> list[Row]:
    rows = read_jsonl("heldout.jsonl")
    for i, r in enumerate(rows, 1):
        assert set(r) == {"text", "intent", "situations", "crisis"}, f"heldout.jsonl:{i}"
        check_labels(r, f"heldout.jsonl:{i}")
    assert len({r["text"] for r in rows}) == len(rows), "heldout.jsonl: duplicate texts"
    return rows


def group_of(r: Row) -> str:
    return "ja-easy" if r.get("variant") == "easy" else str(r["language"])


def validate_multilingual(japanese: list[Row]) -> list[Row]:
    rows = read_jsonl("multilingual.jsonl")
    required = {"text", "language", "intent", "situations", "crisis"}
    for i, r in enumerate(rows, 1):
        where = f"multilingual.jsonl:{i}"
        assert required <= set(r) <= required | {"variant", "danger_kind", "tags"}, where
        check_labels(r, where)
        assert r["language"] in LANGS, where
        assert r.get("variant", "easy") == "easy", where
        assert "variant" not in r or r["language"] == "ja", where
        assert ("danger_kind" in r) == r["crisis"], where
        assert r.get("danger_kind", "other") in DANGER_KINDS, where
        tags = r.get("tags", ["idiom"])
        assert tags and len(set(tags)) == len(tags) and set(tags) <= TAGS, where
        if "idiom" in r.get("tags", ()) or "near_miss" in r.get("tags", ()):
            assert not r["crisis"], f"{where}: idioms and near-misses are not danger"
        if r.get("variant") == "easy":
            assert " " in r["text"] or len(r["text"]) <= 8, f"{where}: easy Japanese has spaces"
    texts = [r["text"] for r in rows]
    assert len(set(texts)) == len(texts), "multilingual.jsonl: duplicate texts"
    assert not set(texts) & {r["text"] for r in japanese}, "multilingual.jsonl repeats heldout.jsonl"
    check_coverage(rows)
    return rows


def check_coverage(rows: list[Row]) -> None:
    """What the brief of issue #10 asks of every language group."""
    by_group: dict[str, list[Row]] = collections.defaultdict(list)
    for r in rows:
        by_group[group_of(r)].append(r)
    assert set(by_group) == set(MINIMUM), sorted(by_group)
    for group, members in by_group.items():
        assert len(members) >= MINIMUM[group], f"{group}: {len(members)} lines"
        danger = [r for r in members if r["crisis"]]
        tagged = collections.Counter(t for r in members for t in r.get("tags", ()))
        if group == "ja":  # the abuse-signs block: signs reported by others, and near-misses
            assert len(danger) >= 10 and tagged["near_miss"] >= 5, group
            continue
        assert 4 * len(danger) >= len(members), f"{group}: crisis under a quarter"
        assert {r["intent"] for r in members} == LABELS, f"{group}: intents missing"
        assert ABUSE_AND_HARM <= {r["danger_kind"] for r in danger}, f"{group}: danger kinds"
        assert tagged["idiom"] >= 2 and tagged["third_party"] >= 2, group


def validate_language_id() -> list[Row]:
    rows = read_jsonl("language_id.jsonl")
    for i, r in enumerate(rows, 1):
        where = f"language_id.jsonl:{i}"
        assert {"text", "language"} <= set(r) <= {"text", "language", "variant", "note"}, where
        assert isinstance(r["text"], str) and r["text"].strip(), where
        assert r["language"] is None or r["language"] in LANGS, where
        assert r["language"] is not None or r.get("note"), f"{where}: say why there is no language"
        assert "variant" not in r or (r["variant"] == "easy" and r["language"] == "ja"), where
    assert len({r["text"] for r in rows}) == len(rows), "language_id.jsonl: duplicate texts"
    assert len(rows) >= 40, "language_id.jsonl: fewer than 40 lines"
    return rows


def kanji_share(text: str) -> float:
    letters = [c for c in text if c.isalpha()]
    kanji = [c for c in letters if "\u4e00" <= c <= "\u9fff"]
    return len(kanji) / max(len(letters), 1)


def hiragana_only(text: str) -> bool:
    letters = [c for c in text if c.isalpha()]
    return bool(letters) and all("\u3041" <= c <= "\u309f" for c in letters)


def print_heldout(rows: list[Row]) -> None:
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


def print_table(title: str, rows: list[Row], column: str, columns: list[str]) -> None:
    """One line per language group, one column per value of ``column``."""
    print(title)
    print(f"  {'group':8}" + "".join(f"{c[:9]:>10}" for c in columns) + f"{'total':>8}")
    for group in GROUP_ORDER + ["all"]:
        members = [r for r in rows if group in ("all", group_of(r))]
        counts = collections.Counter(v for r in members for v in as_list(r.get(column)))
        print(f"  {group:8}" + "".join(f"{counts[c]:>10}" for c in columns) + f"{len(members):>8}")


def as_list(value: Any) -> list[Any]:
    if value is None:
        return []
    return list(value) if isinstance(value, list) else [value]


def print_multilingual(rows: list[Row]) -> None:
    print(f"lines: {len(rows)}")
    intents = ["debt", "family_8050", "double_care", "hikikomori", "housing_refusal",
               "other_welfare", "crisis", "out_of_scope", "greet", "human"]
    print_table("intent per language group:", rows, "intent", intents)
    print_table("danger_kind per language group (crisis lines):", rows, "danger_kind", DANGER_ORDER)
    print_table("tags per language group:", rows, "tags", sorted(TAGS))
    for group in GROUP_ORDER:
        members = [r for r in rows if group_of(r) == group]
        share = sum(r["crisis"] for r in members) / len(members)
        print(f"  {group}: crisis share {share:.2f}")
    easy = [r for r in rows if r.get("variant") == "easy"]
    mean_kanji = sum(kanji_share(r["text"]) for r in easy) / len(easy)
    print(f"ja-easy: all-hiragana {sum(hiragana_only(r['text']) for r in easy)} of {len(easy)},"
          f" mean kanji share of letters {mean_kanji:.3f}")


def print_language_id(rows: list[Row]) -> None:
    print(f"lines: {len(rows)}")
    counts = collections.Counter(r["language"] or "null (keep current)" for r in rows)
    for k, v in counts.most_common():
        print(f"  {k}: {v}")


def main() -> None:
    japanese = validate_heldout()
    multilingual = validate_multilingual(japanese)
    language_id = validate_language_id()
    print("== heldout.jsonl ==")
    print_heldout(japanese)
    print("\n== multilingual.jsonl ==")
    print_multilingual(multilingual)
    print("\n== language_id.jsonl ==")
    print_language_id(language_id)


if __name__ == "__main__":
    main()
