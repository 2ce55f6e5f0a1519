"""Reading the training data: Rasa 3 YAML NLU files and ``situations.jsonl``."""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

REPO_ROOT = Path(__file__).resolve().parent.parent
NLU_DATA_DIR = REPO_ROOT / "data" / "nlu"
HELDOUT_FILE = REPO_ROOT / "data" / "nlu_heldout" / "heldout.jsonl"
# Our own tuning set: same format as the held-out file, never trained on.
DEV_FILE = REPO_ROOT / "data" / "nlu_dev" / "dev.jsonl"
DEV_MULTILINGUAL_FILE = REPO_ROOT / "data" / "nlu_dev" / "multilingual.jsonl"
DEV_LANGUAGE_FILE = REPO_ROOT / "data" / "nlu_dev" / "language_id.jsonl"
HELDOUT_MULTILINGUAL_FILE = REPO_ROOT / "data" / "nlu_heldout" / "multilingual.jsonl"
HELDOUT_LANGUAGE_FILE = REPO_ROOT / "data" / "nlu_heldout" / "language_id.jsonl"
# One danger lexicon per language: data/nlu/danger/<lang>.yml (not training data).
DANGER_DIR_NAME = "danger"
DANGER_DIR = NLU_DATA_DIR / DANGER_DIR_NAME
SITUATIONS_FILE_NAME = "situations.jsonl"
# Which probe lines of data/nlu_dev the danger head also learns from (see danger_head_rows).
DANGER_HEAD_FILE_NAME = "danger_head.yml"
# Japanese training files sit in data/nlu itself; every other language in data/nlu/<lang>/.
BASE_LANGUAGE = "ja"

# [父](relation)  or  [父]{"entity": "relation", "value": "father"}
_ANNOTATION = re.compile(r"\[(?P<text>[^\]]+)\](?:\((?P<type>[^)]+)\)|(?P<json>\{[^}]*\}))")


@dataclass(frozen=True)
class Annotated:
    type: str
    value: str
    start: int
    end: int


@dataclass(frozen=True)
class Example:
    text: str
    intent: str
    entities: tuple[Annotated, ...] = ()
    situations: tuple[str, ...] = ()
    source: str = ""
    language: str = BASE_LANGUAGE


@dataclass
class TrainingData:
    intent_examples: list[Example] = field(default_factory=list)
    situation_examples: list[Example] = field(default_factory=list)

    @property
    def intents(self) -> list[str]:
        return sorted({e.intent for e in self.intent_examples})


def parse_annotated(line: str) -> tuple[str, tuple[Annotated, ...]]:
    """Strip inline entity annotations, returning plain text and the entities in it."""
    out: list[str] = []
    entities: list[Annotated] = []
    pos = 0
    length = 0
    for m in _ANNOTATION.finditer(line):
        before = line[pos : m.start()]
        out.append(before)
        length += len(before)
        surface = m.group("text")
        etype = m.group("type")
        value = surface
        if etype is None:
            try:
                meta = json.loads(m.group("json"))
            except json.JSONDecodeError:
                meta = {}
            etype = str(meta.get("entity", ""))
            value = str(meta.get("value", surface))
        entities.append(Annotated(etype, value, length, length + len(surface)))
        out.append(surface)
        length += len(surface)
        pos = m.end()
    out.append(line[pos:])
    return "".join(out), tuple(entities)


def _examples_block(block: str) -> Iterable[str]:
    for raw in block.splitlines():
        stripped = raw.strip()
        if stripped.startswith("- "):
            yield stripped[2:].strip()
        elif stripped == "-":
            continue


def language_dirs(data_dir: Path = NLU_DATA_DIR) -> list[Path]:
    """data/nlu/<lang>/ folders of training data (the danger lexicons are not one)."""
    return (
        sorted(p for p in data_dir.iterdir() if p.is_dir() and p.name != DANGER_DIR_NAME)
        if data_dir.exists()
        else []
    )


def nlu_files(data_dir: Path = NLU_DATA_DIR) -> list[Path]:
    """Training files: Japanese YAML and situations.jsonl in data/nlu, then each language's
    YAML in data/nlu/<lang>/.  The danger lexicons (data/nlu/danger/) are not training data."""
    files = sorted(data_dir.glob("*.yml")) + sorted(data_dir.glob("*.yaml"))
    situations = data_dir / SITUATIONS_FILE_NAME
    if situations.exists():
        files.append(situations)
    for folder in language_dirs(data_dir):
        files += sorted(folder.glob("*.yml")) + sorted(folder.glob("*.yaml"))
        if (folder / SITUATIONS_FILE_NAME).exists():
            files.append(folder / SITUATIONS_FILE_NAME)
    return files


def danger_files(data_dir: Path = NLU_DATA_DIR) -> list[Path]:
    return sorted((data_dir / DANGER_DIR_NAME).glob("*.yml"))


def file_language(path: Path, data_dir: Path = NLU_DATA_DIR) -> str:
    """The language a training file is written in, from where it sits."""
    return path.parent.name if path.parent.resolve() != data_dir.resolve() else BASE_LANGUAGE


def load_yaml_file(path: Path, language: str = BASE_LANGUAGE) -> list[Example]:
    doc = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    examples: list[Example] = []
    for item in doc.get("nlu") or []:
        if not isinstance(item, dict) or "intent" not in item:
            continue  # synonyms, regexes, lookups: not intent examples
        intent = str(item["intent"])
        for line in _examples_block(str(item.get("examples") or "")):
            text, entities = parse_annotated(line)
            if text:
                examples.append(
                    Example(text, intent, entities, source=path.name, language=language)
                )
    return examples


def jsonl_rows(path: Path) -> Iterator[dict[str, Any]]:
    """The objects of a JSON-lines file; a broken line names its file and line number."""
    for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        try:
            yield json.loads(line)
        except json.JSONDecodeError as exc:
            raise ValueError(f"{path.name}:{n}: not JSON: {exc}") from exc


def load_situations_file(path: Path, language: str = BASE_LANGUAGE) -> list[Example]:
    examples: list[Example] = []
    for row in jsonl_rows(path):
        text, entities = parse_annotated(str(row["text"]))
        situations = tuple(str(s) for s in row.get("situations") or [])
        intent = str(row.get("intent") or (situations[0] if situations else "other_welfare"))
        examples.append(
            Example(text, intent, entities, situations, source=path.name, language=language)
        )
    return examples


def load_training_data(data_dir: Path = NLU_DATA_DIR) -> TrainingData:
    data = TrainingData()
    for path in nlu_files(data_dir):
        language = file_language(path, data_dir)
        if path.name == SITUATIONS_FILE_NAME:
            data.situation_examples.extend(load_situations_file(path, language))
        else:
            data.intent_examples.extend(load_yaml_file(path, language))
    return data


def danger_head_rows(data_dir: Path = NLU_DATA_DIR) -> list[tuple[str, bool]]:
    """(text, is danger) of the probe lines the danger head learns from besides the training
    rows, as ``data_dir/danger_head.yml`` lists them: each source file (a path relative to
    ``data_dir``) up to a batch number, so a batch appended later keeps its first, honest run
    until the cut-off is raised.  Why: replayed on history, a head that had learnt from the
    earlier batches caught 0.72 -> 0.93 of the later batches (bench/nlu_probe_trained_head.py).
    No file: no extra rows.  A listed file that is missing is an error, never a silent skip."""
    config_path = data_dir / DANGER_HEAD_FILE_NAME
    if not config_path.exists():
        return []
    doc = yaml.safe_load(config_path.read_text(encoding="utf-8")) or {}
    rows: list[tuple[str, bool]] = []
    for source in doc.get("sources") or []:
        path = (data_dir / str(source["file"])).resolve()
        through = int(source["through_batch"])
        if not path.exists():
            raise FileNotFoundError(f"{DANGER_HEAD_FILE_NAME}: {path} is missing")
        rows.extend(
            (str(row["text"]), bool(row["crisis"]))
            for row in jsonl_rows(path)
            if int(row.get("batch", 0)) <= through
        )
    return rows


def data_hash(files: Iterable[Path], extra: str = "") -> str:
    digest = hashlib.sha256(extra.encode())
    for path in files:
        digest.update(f"{path.parent.name}/{path.name}".encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]
