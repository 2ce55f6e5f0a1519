"""Reading the training data: Rasa 3 YAML NLU files and ``situations.jsonl``."""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

import yaml

REPO_ROOT = Path(__file__).resolve().parent.parent
NLU_DATA_DIR = REPO_ROOT / "data" / "nlu"
HELDOUT_FILE = REPO_ROOT / "data" / "nlu_heldout" / "heldout.jsonl"
# Our own tuning set: same format as the held-out file, never trained on.
DEV_FILE = REPO_ROOT / "data" / "nlu_dev" / "dev.jsonl"
DANGER_LEXICON_FILE = NLU_DATA_DIR / "danger_lexicon.yml"
SITUATIONS_FILE_NAME = "situations.jsonl"

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


def nlu_files(data_dir: Path = NLU_DATA_DIR) -> list[Path]:
    """Training files (YAML and situations.jsonl); the danger lexicon is not training data."""
    files = sorted(p for p in data_dir.glob("*.yml") if p.name != DANGER_LEXICON_FILE.name)
    files += sorted(data_dir.glob("*.yaml"))
    situations = data_dir / SITUATIONS_FILE_NAME
    if situations.exists():
        files.append(situations)
    return files


def load_yaml_file(path: Path) -> list[Example]:
    doc = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    examples: list[Example] = []
    for item in doc.get("nlu") or []:
        if not isinstance(item, dict) or "intent" not in item:
            continue  # synonyms, regexes, lookups: not intent examples
        intent = str(item["intent"])
        for line in _examples_block(str(item.get("examples") or "")):
            text, entities = parse_annotated(line)
            if text:
                examples.append(Example(text, intent, entities, source=path.name))
    return examples


def load_situations_file(path: Path) -> list[Example]:
    examples: list[Example] = []
    for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
        except json.JSONDecodeError as exc:
            raise ValueError(f"{path.name}:{n}: not JSON: {exc}") from exc
        text, entities = parse_annotated(str(row["text"]))
        situations = tuple(str(s) for s in row.get("situations") or [])
        intent = str(row.get("intent") or (situations[0] if situations else "other_welfare"))
        examples.append(Example(text, intent, entities, situations, source=path.name))
    return examples


def load_training_data(data_dir: Path = NLU_DATA_DIR) -> TrainingData:
    data = TrainingData()
    for path in nlu_files(data_dir):
        if path.name == SITUATIONS_FILE_NAME:
            data.situation_examples.extend(load_situations_file(path))
        else:
            data.intent_examples.extend(load_yaml_file(path))
    return data


def data_hash(files: Iterable[Path], extra: str = "") -> str:
    digest = hashlib.sha256(extra.encode())
    for path in files:
        digest.update(path.name.encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]
