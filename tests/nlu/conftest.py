"""The embedded model is trained once per test session (cached under var/nlu/)."""

from __future__ import annotations

import pytest

from nlu.danger import DangerLexicon
from nlu.embedded import EmbeddedClassifier
from nlu.model import EmbeddedModel, load_or_train
from nlu.pipeline import Understander


@pytest.fixture(scope="session")
def embedded_model() -> EmbeddedModel:
    return load_or_train()


@pytest.fixture(scope="session")
def lexicon() -> DangerLexicon:
    return DangerLexicon.load()


@pytest.fixture
def understander(embedded_model: EmbeddedModel, lexicon: DangerLexicon) -> Understander:
    return Understander(EmbeddedClassifier(embedded_model), embedded_model, lexicon)
