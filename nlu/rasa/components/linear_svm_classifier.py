"""Intent classifier for Rasa: a linear SVM over the pipeline's sparse sentence features,
after sublinear tf-idf and l2 normalisation.

Why: Rasa 3.6's LogisticRegressionClassifier fits raw counts with a fixed regularisation,
so a one-word reply (うん, いや) and a long paragraph are weighed on different scales
(nlu/rasa/PIPELINES.md). This is the recipe the embedded model measured best with
(nlu/model.py): sublinear tf-idf, l2 norm, LinearSVC with balanced classes, margins scaled
and put through a softmax so confidences are usable by the same thresholds.
"""

from __future__ import annotations

import logging
from typing import Any

import numpy as np
from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.classifiers.classifier import IntentClassifier
from rasa.nlu.featurizers.featurizer import Featurizer
from rasa.shared.nlu.constants import INTENT, TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData
from scipy.sparse import csr_matrix, vstack

log = logging.getLogger(__name__)
# Beyond skops' defaults only the tf-idf's sparse idf diagonal is expected in the file.
_EXPECTED_TYPES = {"scipy.sparse._csr.csr_matrix"}


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER], is_trainable=True)
class LinearSVMIntentClassifier(IntentClassifier, GraphComponent):
    @classmethod
    def required_components(cls) -> list[type]:
        return [Featurizer]

    @staticmethod
    def required_packages() -> list[str]:
        return ["sklearn"]

    @staticmethod
    def get_default_config() -> dict[str, Any]:
        # C and margin_scale as in nlu/model.py (TrainConfig.intent_c, MARGIN_SCALE).
        return {"C": 2.0, "margin_scale": 4.0, "ranking_length": 10}

    def __init__(
        self,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        model: dict[str, Any] | None = None,
    ) -> None:
        self._config = config
        self._model_storage = model_storage
        self._resource = resource
        self._model = model  # {"tfidf": TfidfTransformer, "svm": LinearSVC}

    @classmethod
    def create(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> LinearSVMIntentClassifier:
        return cls(config, model_storage, resource)

    @staticmethod
    def _matrix(messages: list[Message]) -> csr_matrix:
        rows = []
        for message in messages:
            sentence = message.get_sparse_features(attribute=TEXT)[1]
            rows.append(csr_matrix(sentence.features) if sentence is not None else csr_matrix((1, 0)))
        return vstack(rows).tocsr()

    def train(self, training_data: TrainingData) -> Resource:
        from sklearn.feature_extraction.text import TfidfTransformer
        from sklearn.svm import LinearSVC

        examples = [m for m in training_data.intent_examples if m.get(INTENT)]
        if not examples:
            log.debug("LinearSVMIntentClassifier: no intent examples, nothing trained")
            return self._resource
        x = self._matrix(examples)
        tfidf = TfidfTransformer(sublinear_tf=True).fit(x)
        svm = LinearSVC(C=self._config["C"], class_weight="balanced")
        svm.fit(tfidf.transform(x), [m.get(INTENT) for m in examples])
        self._model = {"tfidf": tfidf, "svm": svm}
        self.persist()
        return self._resource

    def process(self, messages: list[Message]) -> list[Message]:
        if self._model is None or not messages:
            return messages
        svm = self._model["svm"]
        margins = svm.decision_function(self._model["tfidf"].transform(self._matrix(messages)))
        scores = np.atleast_2d(margins) * self._config["margin_scale"]
        scores = np.exp(scores - scores.max(axis=1, keepdims=True))
        probabilities = scores / scores.sum(axis=1, keepdims=True)
        limit = self._config["ranking_length"]
        for message, row in zip(messages, probabilities, strict=True):
            ranked = sorted(
                ((str(name), float(p)) for name, p in zip(svm.classes_, row, strict=True)), key=lambda pair: -pair[1]
            )
            ranking = [{"name": name, "confidence": confidence} for name, confidence in ranked]
            message.set(INTENT, ranking[0], add_to_output=True)
            message.set("intent_ranking", ranking[:limit] if limit > 0 else ranking, add_to_output=True)
        return messages

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        self.process(training_data.training_examples)
        return training_data

    def persist(self) -> None:
        import skops.io as sio

        with self._model_storage.write_to(self._resource) as model_dir:
            sio.dump(self._model, model_dir / "linear_svm.skops")

    @classmethod
    def load(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
        **kwargs: Any,
    ) -> LinearSVMIntentClassifier:
        import skops.io as sio

        try:
            with model_storage.read_from(resource) as model_dir:
                path = model_dir / "linear_svm.skops"
                untrusted = set(sio.get_untrusted_types(file=path)) - _EXPECTED_TYPES
                if untrusted:
                    raise ValueError(f"untrusted types in {path.name}: {sorted(untrusted)}")
                model = sio.load(path, trusted=sorted(_EXPECTED_TYPES))
        except ValueError as exc:
            log.warning("LinearSVMIntentClassifier: no model loaded (%s)", exc)
            return cls(config, model_storage, resource)
        return cls(config, model_storage, resource, model)
