"""The Rasa server and the eval bridge, for real: run by scripts/rasa-ci.sh (``-m rasa``).

Server tests skip unless ``RASA_URL`` answers with a model loaded; the failure tests need no
Rasa at all (a closed port, a server that never answers) and always run.
"""

from __future__ import annotations

import asyncio
import os
import socket
import time
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest

from nlu.rasa_client import RasaClassifier, RasaUnavailable

pytestmark = pytest.mark.rasa

RASA_URL = os.environ.get("RASA_URL", "")
REPO_ROOT = Path(__file__).resolve().parents[2]


def _model_loaded(url: str) -> bool:
    try:
        status = httpx.get(f"{url.rstrip('/')}/status", timeout=2.0)
    except httpx.HTTPError:
        return False
    return status.status_code == 200 and bool(status.json().get("model_file"))


needs_server = pytest.mark.skipif(
    not RASA_URL or not _model_loaded(RASA_URL),
    reason="RASA_URL unset or no model loaded there (scripts/rasa-ci.sh starts one)",
)


@pytest.fixture
async def rasa() -> AsyncIterator[RasaClassifier]:
    classifier = RasaClassifier(RASA_URL, timeout=10.0)
    yield classifier
    await classifier.aclose()


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


CLEAR_MESSAGES = [
    ("消費者金融の借金が返せなくて困っています", "debt"),
    ("こんにちは", "greet"),
    ("人と話したいです", "human"),
    ("もう死にたい", "crisis"),
    ("はい、お願いします", "affirm"),
    ("いいえ", "deny"),
    ("燃えるごみの日はいつですか", "out_of_scope"),
]


@needs_server
async def test_ready_when_model_loaded(rasa: RasaClassifier) -> None:
    assert await rasa.ready()


@needs_server
@pytest.mark.parametrize(("text", "intent"), CLEAR_MESSAGES)
async def test_clear_messages_get_their_intent(
    rasa: RasaClassifier, text: str, intent: str
) -> None:
    ranking = await rasa.classify(text)
    assert ranking.top[0] == intent, ranking.ranking[:3]
    confidences = [confidence for _, confidence in ranking.ranking]
    assert confidences == sorted(confidences, reverse=True)
    assert len(ranking.ranking) > 1


# What the pipeline's JapaneseNgramFeaturizer is for: kana spellings read like the kanji ones
# (Sudachi reading n-grams of folded text), and care for an elder is double_care only with a
# child beside it (the care/child cue).
SPELLINGS_AND_CUES = [
    ("しゃっきんがかえせなくてこまってます", "debt"),
    ("ｼｬｯｷﾝｶﾞｶｴｾﾅｲ", "debt"),
    ("ふどうさんやで年齢を理由に断られた", "housing_refusal"),
    ("認知症の母の介護がつらい", "other_welfare"),
    ("認知症の母の介護と、1歳の子の世話が重なって大変です", "double_care"),
]


@needs_server
@pytest.mark.parametrize(("text", "intent"), SPELLINGS_AND_CUES)
async def test_kana_spellings_and_the_care_and_child_cue(rasa: RasaClassifier, text: str, intent: str) -> None:
    assert (await rasa.classify(text)).top[0] == intent


# The other languages go through the same Rasa project (data/nlu/<lang>/ staged as training
# data, the featurizer's char n-grams on any script).
OTHER_LANGUAGES = [
    ("I lost my job and I can't pay my rent", "debt"),
    ("房东说不租给外国人", "housing_refusal"),
    ("아들이 3년째 방에서 안 나와요", "hikikomori"),
    ("Tôi muốn nói chuyện với nhân viên", "human"),
    ("नमस्ते", "greet"),
    ("Salamat po", "out_of_scope"),
]


@needs_server
@pytest.mark.parametrize(("text", "intent"), OTHER_LANGUAGES)
async def test_other_languages_get_their_intent(rasa: RasaClassifier, text: str, intent: str) -> None:
    assert (await rasa.classify(text)).top[0] == intent


@needs_server
async def test_entities_index_the_text(rasa: RasaClassifier) -> None:
    text = "父が85歳で、西葛西に住んでいます。借金は300万円、もう3年以上です"
    ranking = await rasa.classify(text)
    found = {(e.type, e.value) for e in ranking.entities}
    assert {
        ("relation", "父"),
        ("age", "85歳"),
        ("area", "西葛西"),
        ("amount", "300万円"),
        ("duration", "3年以上"),
    } <= found
    assert ("area", "葛西") not in found
    for entity in ranking.entities:
        assert text[entity.start : entity.end] == entity.value


async def test_unreachable_server_raises_quickly() -> None:
    rasa = RasaClassifier(f"http://127.0.0.1:{_closed_port()}", timeout=2.0)
    started = time.monotonic()
    with pytest.raises(RasaUnavailable) as caught:
        await rasa.classify("借金が返せない")
    assert caught.value.reason == "connect"
    assert time.monotonic() - started < 1.0
    assert not await rasa.ready()
    await rasa.aclose()


async def test_silent_server_raises_timeout() -> None:
    async def never_answer(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await reader.read(65536)
        await asyncio.sleep(5)
        writer.close()

    server = await asyncio.start_server(never_answer, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    rasa = RasaClassifier(f"http://127.0.0.1:{port}", timeout=0.3)
    try:
        started = time.monotonic()
        with pytest.raises(RasaUnavailable) as caught:
            await rasa.classify("借金が返せない")
        assert caught.value.reason == "timeout"
        assert time.monotonic() - started < 1.5
    finally:
        await rasa.aclose()
        server.close()


@pytest.mark.skipif(
    not (REPO_ROOT / ".venv-rasa" / "bin" / "rasa").exists(), reason="no .venv-rasa"
)
def test_predict_with_rasa_trains_and_predicts(tmp_path: Path) -> None:
    from nlu.rasa_eval import predict_with_rasa

    # One annotated age: RegexEntityExtractor only uses patterns of entity types in the data.
    data = tmp_path / "nlu.yml"
    data.write_text(
        'version: "3.1"\nnlu:\n'
        "- intent: debt\n  examples: |\n"
        + "".join(f"    - {t}\n" for t in ["借金が返せない", "ローンが払えない", "借金の相談", "返済が苦しい", "[50歳](age)で借金"])
        + "- intent: greet\n  examples: |\n"
        + "".join(f"    - {t}\n" for t in ["こんにちは", "こんばんは", "おはよう", "はじめまして", "どうも"])
        + "- intent: deny\n  examples: |\n"
        + "".join(f"    - {t}\n" for t in ["いいえ", "違います", "ちがう", "いや", "そうじゃない"]),
        encoding="utf-8",
    )  # fmt: skip
    lexicon = tmp_path / "situations.jsonl"
    lexicon.write_text('{"not": "rasa data"}\n', encoding="utf-8")
    rankings = predict_with_rasa(
        [data, lexicon],
        ["借金が返せなくて困る", "こんにちは", "いいえ", "父は85歳です"],
        config=REPO_ROOT / "nlu" / "rasa" / "pipelines" / "logreg_liblinear.yml",
    )
    assert [r.top[0] for r in rankings[:3]] == ["debt", "greet", "deny"]
    assert ("age", "85歳") in {(e.type, e.value) for e in rankings[3].entities}
