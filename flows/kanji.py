"""How much of each やさしい日本語 message is kanji, so the catalogue stays readable in kana.

share = kanji / (kanji + kana), counted after removing ``{placeholders}`` and the proper
nouns declared for ja-easy in ``data/messages/languages.yml`` (official names a resident may
need exactly as written). The ward's and centres' names that fill placeholders come from
``data/centres`` in kana (tests/handoff/test_directory_languages.py), and a whole
conversation is measured with them in (tests/flows/test_catalogue_in_conversation.py).
Digits, Latin letters and punctuation count as neither.

    python -m flows.kanji        # every ja-easy message, worst first; exit 1 above the limit
"""

from __future__ import annotations

import re
import sys
from dataclasses import dataclass

from flows.catalogue import load_catalogue, load_languages
from flows.notices import load_consent, load_line_texts

LANGUAGE = "ja-easy"
LIMIT = 0.15
_KANJI = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff々〆]")
_KANA = re.compile(r"[\u3041-\u3096\u30a1-\u30fa\u30fc]")  # hiragana, katakana and ー (not ・)
_PLACEHOLDER = re.compile(r"\{[^{}]*\}")


@dataclass(frozen=True)
class Share:
    where: str  # catalogue key, "consent", or "emergency.<line id>"
    kanji: int
    kana: int

    @property
    def share(self) -> float:
        letters = self.kanji + self.kana
        return self.kanji / letters if letters else 0.0


def count(text: str, proper_nouns: tuple[str, ...] = ()) -> tuple[int, int]:
    """(kanji, kana) in ``text`` once placeholders and proper nouns are taken out."""
    plain = _PLACEHOLDER.sub("", text)
    for noun in sorted(proper_nouns, key=len, reverse=True):
        plain = plain.replace(noun, "")
    return len(_KANJI.findall(plain)), len(_KANA.findall(plain))


def easy_japanese_texts() -> dict[str, str]:
    """Every message a ja-easy resident can be sent: catalogue, consent, emergency lines."""
    catalogue = load_catalogue(LANGUAGE)
    texts = {key: catalogue.template(key) for key in catalogue.own_keys()}
    texts["consent"] = load_consent(LANGUAGE).template
    lines = load_line_texts(LANGUAGE)
    for line_id, (name, hours) in lines.names.items():
        texts[f"emergency.{line_id}"] = f"{name} {hours}{lines.sample_note}"
    return texts


def measure() -> list[Share]:
    """Every ja-easy message's share of kanji, worst first."""
    nouns = load_languages()[LANGUAGE].proper_nouns
    shares = [Share(where, *count(text, nouns)) for where, text in easy_japanese_texts().items()]
    return sorted(shares, key=lambda s: (-s.share, s.where))


def main() -> int:
    shares = measure()
    print(f"{'share':>6}  {'kanji':>5}  {'kana':>5}  message")
    for s in shares:
        print(f"{s.share:6.1%}  {s.kanji:5d}  {s.kana:5d}  {s.where}")
    over = [s for s in shares if s.share > LIMIT]
    total_kanji = sum(s.kanji for s in shares)
    total = total_kanji + sum(s.kana for s in shares)
    print(f"{len(shares)} messages; all together {total_kanji / total:.1%} kanji; "
          f"{len(over)} above {LIMIT:.0%}")
    return 1 if over else 0


if __name__ == "__main__":
    sys.exit(main())
