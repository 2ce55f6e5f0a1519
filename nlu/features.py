"""Char n-gram TF-IDF features and linear heads, with an inference path that needs only numpy.

Training uses scikit-learn (``nlu.train``); the fitted vocabulary, idf weights and
coefficients are then copied into these small classes, so parsing a message neither imports
scikit-learn nor pays for its per-call overhead (a parse is well under a millisecond).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

import numpy as np

from nlu.language import has_reading
from nlu.reading import reading

NGRAM_MIN, NGRAM_MAX = 1, 4


def char_ngrams(text: str) -> list[str]:
    """Character 1-4 grams of normalised text; the TF-IDF analyzer for training and parsing."""
    grams: list[str] = []
    padded = f" {text} "  # word edges are informative (e.g. a message that is just 借金)
    for n in range(NGRAM_MIN, NGRAM_MAX + 1):
        grams.extend(padded[i : i + n] for i in range(len(padded) - n + 1))
    return [g for g in grams if g.strip()]


# Cues on folded text (katakana already folded to hiragana, lower-cased) for the one label
# rule a bag of n-grams cannot express: double_care is caring for an elder or an ill adult
# AND raising a child; either alone is other_welfare (data/nlu/LABELLING.md, rule 4-5).
# A linear model sees 介護 and 子育て separately, so it also gets their conjunction.
_CARE_CUE = re.compile(
    "介護|かいご|看病|看て|みとり|認知症|にんちしょう|寝たきり|徘徊|おむつ|でいさーびす"
    "|しょーとすてい|けあまね|熟年相談室|要介護|介助|闘病|通院の付き添い|病院に付き添"
    "|caring for|care of|look after|looking after|dementia|disabled|alzheimer|bedridden"
    "|wheelchair|stroke|take care of|takes care of|taking care of|needs care|dialysis|caregiver"
    # zh, ko, vi (with and without accents), ne (Devanagari and romanised), tl
    "|照顾|照顧|护理|護理|介护|看护|看護|失智|痴呆|癡呆|中风|中風|卧床|臥床|轮椅|輪椅|瘫痪|癱瘓"
    "|돌보|돌봐|돌봄|간병|간호|치매|요양|휠체어|뇌졸중|수발"
    "|chăm|cham soc|cham ba|cham me|cham bo|cham ong|bị lẫn|bi lan|sa sút trí tuệ|đột quỵ|dot quy"
    "|liệt|xe lăn|xe lan"
    "|हेरचाह|स्याहार|सेवा गर|स्ट्रोक|अपाङ्ग|बिर्सने रोग|herchah|syahar|sewa gar"
    "|alaga|nakaratay|kapansanan"
)
# (spaces allowed: やさしい日本語 writes こどもは いません, こどもは もう おとな です)
_NO_CHILD = "(?! ?(?:は|が|も)? ?(?:もう)? ?(?:いない|いません|おらん|おりません|居ない|独立|成人|大人|おとな))"
_CHILD_CUE = re.compile(
    # a child said not to be there (子どもはいない, 子どもはもう独立) or 兄弟/姉妹 is no child cue
    f"(?:子ども|子供|こども){_NO_CHILD}|子育て|こそだて|育児|いくじ|赤ちゃん|あかちゃん|赤ん坊"
    "|乳児|妊娠|にんしん"
    "|妊婦|産後|出産|保育園|ほいくえん|幼稚園|小学|中学|歳の子|歳の息子|歳の娘|上の子|下の子"
    "|双子|(?<!兄)弟|(?<!姉)妹|きょうだいの世話|授乳|夜泣き|わらし|ちび"
    "|kid|child|baby|toddler|pregnant|little brother|little sister|newborn|little ones|twins|ふたご"
    "|孩子|小孩|宝宝|寶寶|婴儿|嬰兒|怀孕|懷孕|二胎|带娃|帶娃|保育园|幼儿园|幼兒園|弟弟妹妹|双胞胎"
    "|아기|아이|애기|애 둘|애 셋|(?<!장)애(?:가|를|도|들)|육아|임신|어린이집|유치원|동생들|갓난|쌍둥이"
    "|con nhỏ|con nho|em bé|em be|mang thai|có bầu|co bau|nuôi con|nuoi con|trông con|trong con"
    "|sinh con|các em|cac em|đứa nhỏ|dua nho"
    "|बच्चा|bachha|baccha|गर्भवती|garbhawati|सानो छोरी|सानो छोरा|भाइबहिनी|bhaibahini|जुम्ल्याहा"
    "|buntis|maliit|mga bata|sanggol|mga kapatid"
)


# Repeated so that, after sublinear tf (1 + ln 12 = 3.5) and l2 normalisation, the
# conjunction weighs about as much as a strong n-gram: --cv 5 (2 seeds) accuracy 0.876 without
# cues, 0.879 with it once, 0.890 x4, 0.892 x12, 0.891 x30.
_CONJUNCTION_REPEAT = 12


def cue_features(text: str) -> list[str]:
    care, child = bool(_CARE_CUE.search(text)), bool(_CHILD_CUE.search(text))
    cues = (["Qcare"] if care else []) + (["Qchild"] if child else [])
    return [*cues, *["Qcare+child"] * _CONJUNCTION_REPEAT] if care and child else cues


_LATIN = re.compile("[a-z]")
_SPACED_SCRIPT = re.compile("[a-z\uac00-\ud7a3\u0900-\u097f]")  # Latin, Hangul, Devanagari
_WORD = re.compile(r"[\w']+")


def strip_accents(text: str) -> str:
    """Latin letters without their marks (Vietnamese typed bare: không -> khong, đ -> d)."""
    text = text.replace("đ", "d")
    return "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))


def word_grams(text: str) -> list[str]:
    """Word 1-2 grams (W-prefixed, accent-free) of text written with spaces between words.
    Char n-grams cross word edges (tieng has tien, money, in it; bare nợ is English no):
    --cv 5 accuracy on content intents, seeds 13 | 29: 0.9122 | 0.9073 -> 0.9140 | 0.9096
    together with the accent-free n-grams below (vi 0.882 | 0.874 -> 0.894 | 0.891)."""
    if not _SPACED_SCRIPT.search(text):
        return []
    words = _WORD.findall(strip_accents(text))
    pairs = zip(words, words[1:], strict=False)
    return ["W" + w for w in words] + [f"W{a}_{b}" for a, b in pairs]


def analyze(text: str) -> list[str]:
    """Features of folded text: its char n-grams (any script), also of its accent-free form
    when it has Latin letters with marks (so bare and accented Vietnamese meet), those of its
    kana reading (R-prefixed; not for Korean or Nepali, where Sudachi has nothing to read),
    word n-grams of spaced scripts, and the care/child cues."""
    grams = char_ngrams(text)
    if _LATIN.search(text):
        bare = strip_accents(text)
        if bare != text:
            grams += char_ngrams(bare)
    if has_reading(text):
        grams += ["R" + g for g in char_ngrams(reading(text))]
    return grams + word_grams(text) + cue_features(text)


def gram_counts(text: str, vocabulary: dict[str, int]) -> tuple[np.ndarray, np.ndarray]:
    """(column, count) of every ``analyze`` feature of ``text`` that is in ``vocabulary``."""
    counts: dict[int, int] = {}
    for gram in analyze(text):
        j = vocabulary.get(gram)
        if j is not None:
            counts[j] = counts.get(j, 0) + 1
    idx = np.fromiter(counts.keys(), dtype=np.int64, count=len(counts))
    return idx, np.fromiter(counts.values(), dtype=np.float64, count=len(counts))


@dataclass
class Vectorizer:
    """A frozen sublinear-tf, l2-normalised TF-IDF over ``analyze``."""

    vocabulary: dict[str, int]
    idf: np.ndarray

    def transform(self, text: str) -> tuple[np.ndarray, np.ndarray]:
        idx, tf = gram_counts(text, self.vocabulary)
        if not len(idx):
            return idx, tf
        vals = (1.0 + np.log(tf)) * self.idf[idx]
        norm = float(np.sqrt(vals @ vals))
        return idx, vals / norm if norm else vals


@dataclass
class LinearHead:
    """``scores = x · coef + intercept``; probabilities by softmax (one label of many) or by
    a sigmoid per label (independent labels, binary models)."""

    labels: list[str]
    coef: np.ndarray  # (n_features, n_labels)
    intercept: np.ndarray  # (n_labels,)
    multilabel: bool = False

    def probabilities(self, idx: np.ndarray, vals: np.ndarray) -> np.ndarray:
        scores = vals @ self.coef[idx] + self.intercept if len(idx) else self.intercept.copy()
        probabilities: np.ndarray
        if self.multilabel:
            probabilities = 1.0 / (1.0 + np.exp(-scores))
            return probabilities
        scores = scores - scores.max()
        exp = np.exp(scores)
        probabilities = exp / exp.sum()
        return probabilities

    def ranking(self, idx: np.ndarray, vals: np.ndarray) -> list[tuple[str, float]]:
        probs = self.probabilities(idx, vals)
        order = np.argsort(-probs)
        return [(self.labels[i], float(probs[i])) for i in order]
