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
# Rasa's care_and_child regex (nlu/rasa/data/cues.yml) is built from the same pieces by
# ``rasa_care_and_child_pattern`` (tests/nlu/test_cues.py checks the file is up to date).

# Care words that name an elder's or an ill adult's need whoever else the message is about.
_CARE_JA = (
    "介護|かいご|看病|看て|みとり|認知症|にんちしょう|寝たきり|ねたきり|徘徊|おむつ"
    "|でいさーびす|しょーとすてい|けあまね|熟年相談室|要介護|介助|闘病|通院の付き添い"
    "|病院に付き添|透析|とうせき"
)
_CARE_ELDER = (
    "dementia|alzheimer|bedridden|stroke|dialysis"
    "|失智|痴呆|癡呆|中风|中風|卧床|臥床"
    "|치매|요양|뇌졸중"
    "|bị lẫn|bi lan|sa sút trí tuệ|đột quỵ|dot quy"
    "|स्ट्रोक|बिर्सने रोग"
    "|nakaratay"
)
# Care words that fit a child as well (looking after, a wheelchair, a disability): they count
# only in a sentence that names an adult to care for, or names no child at all, so "my
# disabled child needs care" or 我儿子坐轮椅,我每天照顾他 is a child's need, not an elder's.
_CARE_ANYONE = (
    "caring for|care of|look after|looking after|disabled|wheelchair|take care of"
    "|takes care of|taking care of|needs care|caregiver"
    "|照顾|照顧|护理|護理|介护|看护|看護|轮椅|輪椅|瘫痪|癱瘓"
    "|돌보|돌봐|돌봄|간병|간호|휠체어|수발"
    "|chăm|cham soc|cham ba|cham me|cham bo|cham ong|liệt|xe lăn|xe lan"
    "|हेरचाह|स्याहार|सेवा गर|अपाङ्ग|herchah|syahar|sewa gar"
    "|alaga|kapansanan"
)
# Whom a sentence is about: an adult to care for (parent, spouse, grandparent, in-law) ...
_ADULT = (
    r"mother|\bmom\b|\bmum\b|father|\bdad\b|parent|husband|\bwife\b|grand(?:ma|pa|mother|father)"
    r"|in-law|spouse|\bgran\b|\bnan\b|elderly"
    "|母亲|母親|父亲|父親|妈|媽|爸|丈夫|老公|妻子|老婆|公公|婆婆|爷爷|爺爺|奶奶|外婆|外公|岳父|岳母|老人"
    "|어머니|엄마|아버지|아빠|부모|남편|아내|할머니|할아버지|시어머니|시아버지|장모|장인"
    r"|mẹ|bố|chồng|vợ|ông|bà|\bme\b|\bbo\b|\bchong\b|\bong\b|\bba\b"
    "|आमा|बुबा|बुवा|श्रीमान|श्रीमती|सासू|ससुरा|हजुर"
    r"|\b(?:a?ama|buba|buwa|baa|sasu|sasura|shreeman|shreemati)\b|hajur"
    r"|nanay|tatay|\bina\b|magulang|asawa|\blola\b|\blolo\b|biyenan"
)
# ... or a child (sons and daughters too, whatever their age: the adult words decide).
_CHILDISH = (
    r"\bkid|child|baby|toddler|\bson\b|\bsons\b|daughter|\bboy\b|\bgirl\b"
    "|孩子|小孩|儿子|兒子|女儿|女兒|宝宝|寶寶|婴儿|嬰兒"
    "|아이|아기|애기|아들|딸"
    r"|con trai|con gái|con gai|con nhỏ|con nho|\bcon\b|\bbé\b"
    r"|बच्चा|छोरा|छोरी|bachha|baccha|chhora|chhori|\banak\b|\bbata\b|sanggol"
)
_STOP = r"[.!?。।\n]"
_IN_SENTENCE = r"[^.!?。।\n]"
_CARE_IN_SENTENCE = (
    f"(?:^|(?<={_STOP}))(?:(?={_IN_SENTENCE}*?(?:{_ADULT}))|(?!{_IN_SENTENCE}*?(?:{_CHILDISH})))"
    f"{_IN_SENTENCE}*?(?:{_CARE_ANYONE})"
)


def _not_after(words: str) -> str:
    """One negative lookbehind per word of ``a|b|c`` (re needs each of fixed width)."""
    return "".join(f"(?<!{w})" for w in words.split("|"))


# A child said not to be there, grown up or moved out is no child cue, in every language:
# 子どもはいない / もう独立 (also spaced: こどもは いません, こどもは もう おとな です)
_NO_CHILD_JA = "(?! ?(?:は|が|も)? ?(?:もう)? ?(?:いない|いません|おらん|おりません|居ない|独立|成人|大人|おとな))"
# no kids, don't have any children, grown-up children, grandchildren; kids moved out, children
# are grown up, kids live abroad
_NOT_BEFORE_EN = _not_after(
    "no |any |without |adult |grown |grown-up |n't have |not have |never had |grand|step"
)
_GONE_EN = (
    "(?!(?:s|ren)?(?:'re|'ve| are| have| has| had| were| is| was| all| both| long| already"
    "| now| are now| have all| are all| have long)? ?(?:moved|grown|grew up|left (?:home|the house)|adults?|"
    "independent|married|in their [2-9]0s|live (?:far|away|abroad|elsewhere|on their own|alone)"
    "|don't live|do not live|no longer live|not around|not here|out of the house))"
)
# 没有孩子, 孩子都不在身边, 孩子已经成年了
_NOT_BEFORE_ZH = _not_after("没有|沒有|没|沒|无|無")
_GONE_ZH = (
    "(?!(?:们|們)?(?:都|也|已经|已經|早就|早已|均|全)*(?:不在|没在|沒在|成年|长大|長大|大了|独立|獨立"
    "|工作了|结婚|結婚|在外地|在国内|在國內|在老家|不住|搬走|搬出|离家|離家|上大学|上大學))"
)
# 아이는 없어요, 아이들은 다 컸어요, 애가 없고
_GONE_KO = "(?!(?:들)?(?:은|는|이|가|도)? ?(?:다 |모두 |이미 |벌써 |이제 |없이)*(?:없|컸|커서|성인|독립|결혼|출가|따로 살))"
# không có con nhỏ, không còn con nhỏ, chưa có em bé
_NOT_BEFORE_VI = _not_after("không có |khong co |không còn |khong con |chưa có |chua co ")
# मेरो बच्चा छैन, बच्चाहरू ठूला भइसके, bachha chaina
_GONE_NE = "(?!(?:हरू|हरु|haru)? ?(?:छैन|छैनन्|हुर्किसके|ठूला भइसके|ठूलो भइसक|विदेशमा|chaina|chhaina|chainan))"
# wala kaming maliit na bata, walang maliit, hindi na maliit
_NOT_BEFORE_TL = _not_after(
    "wala kaming |wala akong |wala na kaming |wala na akong |walang |wala nang |hindi na "
)

_CHILD_JA = (
    f"(?:子ども|子供|こども){_NO_CHILD_JA}|子育て|こそだて|育児|いくじ|赤ちゃん|あかちゃん|赤ん坊"
    "|乳児|妊娠|にんしん|育休"
    "|妊婦|産後|出産|保育園|ほいくえん|幼稚園|小学|中学|歳の子|歳の息子|歳の娘|上の子|下の子"
    "|双子|(?<!兄)弟|(?<!姉)妹|きょうだいの世話|授乳|夜泣き|わらし|ちび|ふたご"
)
_CHILD_OTHER = (
    f"{_NOT_BEFORE_EN}(?:kid|child(?!less|hood)|baby|toddler|newborn|little ones|twins){_GONE_EN}"
    "|pregnant|little brother|little sister"
    f"|{_NOT_BEFORE_ZH}(?:孩子|小孩|宝宝|寶寶|婴儿|嬰兒){_GONE_ZH}"
    "|怀孕|懷孕|二胎|带娃|帶娃|保育园|幼儿园|幼兒園|弟弟妹妹|双胞胎"
    f"|(?:아기|아이|애기|애 둘|애 셋|(?<!장)애(?:가|를|도|들)){_GONE_KO}"
    "|육아|임신|어린이집|유치원|동생들|갓난|쌍둥이"
    f"|{_NOT_BEFORE_VI}(?:con nhỏ|con nho|em bé|em be)"
    "|mang thai|có bầu|co bau|nuôi con|nuoi con|trông con|trong con"
    "|sinh con|các em|cac em|đứa nhỏ|dua nho"
    f"|(?:बच्चा|bachha|baccha){_GONE_NE}"
    "|गर्भवती|garbhawati|सानो छोरी|सानो छोरा|भाइबहिनी|bhaibahini|जुम्ल्याहा"
    f"|buntis|{_NOT_BEFORE_TL}(?:maliit|mga bata)|sanggol|mga kapatid"
)

_CARE_CUE = re.compile(f"{_CARE_JA}|{_CARE_ELDER}|{_CARE_IN_SENTENCE}")
_CHILD_CUE = re.compile(f"{_CHILD_JA}|{_CHILD_OTHER}")


def _split_alternation(alternation: str) -> list[str]:
    """The top-level alternatives of a regex (``a|(?:b|c)d`` -> ``a``, ``(?:b|c)d``)."""
    terms, depth, start, escaped = [], 0, 0, False
    for i, ch in enumerate(alternation):
        if escaped:
            escaped = False
        elif ch == "\\":
            escaped = True
        elif ch in "([":
            depth += 1
        elif ch in ")]":
            depth -= 1
        elif ch == "|" and depth == 0:
            terms.append(alternation[start:i])
            start = i + 1
    return [*terms, alternation[start:]]


def _with_katakana(alternation: str) -> str:
    """Each alternative and, when it has hiragana, its katakana spelling (Rasa sees the
    normalised text unfolded: カイゴ stays katakana)."""
    terms: list[str] = []
    for term in _split_alternation(alternation):
        kata = "".join(chr(ord(c) + 0x60) if "\u3041" <= c <= "\u3096" else c for c in term)
        terms += [term] if kata == term else [term, kata]
    return "|".join(terms)


def rasa_care_and_child_pattern() -> str:
    """Rasa's ``care_and_child`` regex: true (over the whole message, so the sentence feature
    is set) exactly when ``cue_features`` gives Qcare+child, on unfolded normalised text."""
    care = f"{_with_katakana(_CARE_JA)}|{_CARE_ELDER}|{_CARE_IN_SENTENCE}"
    child = f"{_with_katakana(_CHILD_JA)}|{_CHILD_OTHER}"
    return f"(?is)^(?=.*?(?:{care}))(?=.*?(?:{child})).+"


_RASA_CUES_HEADER = """\
# Sentence feature for RegexFeaturizer (nlu/rasa/pipelines/logreg_cues*.yml): caring for an
# elder or an ill adult AND raising a child in one message, the double_care rule of
# data/nlu/LABELLING.md that a bag of n-grams cannot express. Generated from the cues of
# nlu/features.py, with katakana spellings added since Rasa sees normalised but unfolded text;
# true exactly when the embedded features have Qcare+child, and it spans the whole message so
# the sentence feature is set. Regenerate it when the cues change (tests/nlu/test_cues.py):
#   PYTHONPATH=$PWD .venv/bin/python -c 'import nlu.features as f; f.write_rasa_cues()'
# Not an entity type, so RegexEntityExtractor (use_only_entities) ignores it.
version: "3.1"
nlu:
- regex: care_and_child
  examples: |
"""


def rasa_cues_yml() -> str:
    """The text of nlu/rasa/data/cues.yml."""
    return f"{_RASA_CUES_HEADER}    - {rasa_care_and_child_pattern()}\n"


def write_rasa_cues() -> None:
    from nlu.data import REPO_ROOT

    path = REPO_ROOT / "nlu" / "rasa" / "data" / "cues.yml"
    path.write_text(rasa_cues_yml(), encoding="utf-8")


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
