"""Sentence features for Rasa from the embedded model's analyser (nlu/features.py).

Why: on our data the char n-grams of the kana-folded text *and of its Sudachi reading*, plus
the care-and-child cue, are what made the embedded model the most accurate
(nlu/rasa/PIPELINES.md). Rasa's CountVectorsFeaturizer sees neither the folding nor the
reading. This featurizer gives Rasa the same bag of features, with a vocabulary learnt in
``rasa train`` and stored in the model archive.

The name says Japanese for history: the char n-grams work on any script (English, Chinese,
Korean, Vietnamese, Nepali, Tagalog in data/nlu/<lang>/), the Sudachi reading is added only
to Japanese text, exactly as in the embedded model.
"""

from __future__ import annotations

import json
from typing import Any

import numpy as np
from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.featurizers.sparse_featurizer.sparse_featurizer import SparseFeaturizer
from rasa.shared.nlu.constants import TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData
from scipy.sparse import csr_matrix

from nlu.features import analyze, gram_counts
from nlu.normalize import normalize


def _folded(message: Message) -> str:
    return normalize(message.get(TEXT) or "").folded


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.MESSAGE_FEATURIZER], is_trainable=True)
class JapaneseNgramFeaturizer(SparseFeaturizer, GraphComponent):
    @staticmethod
    def get_default_config() -> dict[str, Any]:
        return {**SparseFeaturizer.get_default_config(), "min_count": 1}

    @classmethod
    def validate_config(cls, config: dict[str, Any]) -> None:
        if int(config.get("min_count", 1)) < 1:
            raise ValueError("min_count must be at least 1")

    def __init__(
        self,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
        vocabulary: dict[str, int] | None = None,
    ) -> None:
        super().__init__(execution_context.node_name, config)
        self._model_storage = model_storage
        self._resource = resource
        self._vocabulary = vocabulary or {}

    @classmethod
    def create(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> JapaneseNgramFeaturizer:
        return cls(config, model_storage, resource, execution_context)

    def train(self, training_data: TrainingData) -> Resource:
        counts: dict[str, int] = {}
        for message in training_data.training_examples:
            if message.get(TEXT):
                for gram in set(analyze(_folded(message))):
                    counts[gram] = counts.get(gram, 0) + 1
        kept = sorted(g for g, n in counts.items() if n >= self._config["min_count"])
        self._vocabulary = {g: i for i, g in enumerate(kept)}
        with self._model_storage.write_to(self._resource) as directory:
            (directory / "vocabulary.json").write_text(json.dumps(kept, ensure_ascii=False))
        return self._resource

    def _featurize(self, message: Message) -> None:
        if not message.get(TEXT) or not self._vocabulary:
            return
        cols, vals = gram_counts(_folded(message), self._vocabulary)
        sentence = csr_matrix((vals, (np.zeros(len(cols), dtype=np.int64), cols)), shape=(1, len(self._vocabulary)))
        self.add_features_to_message(sequence=None, sentence=sentence, attribute=TEXT, message=message)

    def process(self, messages: list[Message]) -> list[Message]:
        for message in messages:
            self._featurize(message)
        return messages

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        self.process(training_data.training_examples)
        return training_data

    @classmethod
    def load(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
        **kwargs: Any,
    ) -> JapaneseNgramFeaturizer:
        try:
            with model_storage.read_from(resource) as directory:
                kept = json.loads((directory / "vocabulary.json").read_text())
        except (ValueError, FileNotFoundError):
            kept = []
        return cls(config, model_storage, resource, execution_context, {g: i for i, g in enumerate(kept)})
