"""Several situations at once: the one-vs-rest model's scores plus cue patterns.

A situation is returned when the top intent is that situation, when its one-vs-rest
probability reaches the threshold, or when an unambiguous cue for it is written (滞納, ダブルケア,
引きこもって ...).  Cues are matched on kana-folded text, so patterns here are in hiragana where
they are kana.
"""

from __future__ import annotations

import re

from nlu.contract import SITUATIONS
from nlu.normalize import fold_kana

# Deliberately narrow: each cue alone should be enough to say the situation is present.
_CUES: dict[str, tuple[str, ...]] = {
    "debt": (
        r"借金|しゃっきん|多重債務|債務整理|自己破産|消費者金融|かーどろーん|りぼ払い|闇金|やみきん",
        r"滞納|督促|取り立て|差し押さえ|差押",
        r"(家賃|電気代|ガス代|水道代|携帯代|税金|保険料|住民税|生活費|光熱費)が?(払え|はらえ|足りな|たりな)",
        r"返済|へんさい|お金が(ない|足りな|たりな)|おかねが(ない|たりな)|金がない|生活費がない",
    ),
    "housing_refusal": (
        r"立ち退き|たちのき|退去|追い出|出て(いけ|行け|いって|行って)(と|って)",
        r"(入居|部屋|賃貸|物件|アパート|マンション)(を|が|の)?(断|ことわ|借りられ|貸してもらえ|見つからな|審査)",
        r"(審査|保証会社)(に|が)?(落|通らな|とおらな|通りませ)|保証人が(い|見つから|おらん)",
        r"住む(ところ|場所|家)が(ない|なく|見つから)|(家|部屋|住まい)を(失|なく|追われ)|ホームレス|ねっとかふぇ|路上",
        r"更新(を)?(断|拒|できな|してもらえ)|取り壊し",
    ),
    "double_care": (
        r"だぶるけあ|ダブルケア|育児と介護|介護と育児|子育てと介護|介護と子育て",
        r"(子ども|子供|こども|赤ちゃん|保育園|幼稚園|乳児|育児|子育て).{0,30}(介護|認知症|でいさーびす|寝たきり)",
        r"(介護|認知症|でいさーびす|寝たきり).{0,30}(子ども|子供|こども|赤ちゃん|保育園|幼稚園|育児|子育て)",
    ),
    "family_8050": (
        r"8050|はちまるごーまる|80(代|歳).{0,20}[45]0(代|歳)|[45]0(代|歳).{0,20}[789]0(代|歳)",
        r"(高齢|年老いた|年金暮らし|年金生活).{0,6}(親|父|母).{0,30}(無職|働いていな|働かな|ひきこも|引きこも|働いてない)",
        r"(親|父|母).{0,6}(亡くな|死んだら|いなくなったら|先立).{0,20}(息子|娘|兄|弟|姉|妹|子)",
    ),
    "hikikomori": (
        r"ひきこも|引きこも|引き籠|ひっきー|閉じこも",
        r"部屋から(出てこない|出てこなく|出ない|出られない|でてこない)|家から(出ない|出られない|出てない|でない)",
        r"外に(出られない|出れない|でられない)|不登校|ニート",
    ),
    "other_welfare": (
        r"介護保険|障害者手帳|障害年金|要介護認定|地域包括|ケアマネ|発達障害|精神科",
    ),
}


class SituationCues:
    def __init__(self, cues: dict[str, tuple[str, ...]] | None = None) -> None:
        self._patterns = {
            name: re.compile("|".join(f"(?:{fold_kana(p)})" for p in patterns))
            for name, patterns in (cues or _CUES).items()
        }

    def match(self, folded: str) -> list[str]:
        return [name for name, pattern in self._patterns.items() if pattern.search(folded)]


def combine_situations(
    top_intent: str,
    probabilities: dict[str, float],
    cues: list[str],
    threshold: float,
) -> list[str]:
    """Top intent first (when it is a situation), then model and cue hits by probability."""
    chosen = {s for s, p in probabilities.items() if p >= threshold}
    chosen.update(cues)
    if top_intent in SITUATIONS:
        chosen.add(top_intent)
    ordered = sorted(chosen, key=lambda s: (s != top_intent, -probabilities.get(s, 0.0)))
    return [s for s in ordered if s in SITUATIONS]
