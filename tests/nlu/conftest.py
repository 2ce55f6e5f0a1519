"""The embedded model is trained once per test session (cached under var/nlu/)."""

from __future__ import annotations

import pytest

from nlu.danger import DangerDetector, DangerLexicon
from nlu.danger_cues import DangerCues
from nlu.embedded import EmbeddedClassifier
from nlu.model import EmbeddedModel, load_or_train
from nlu.pipeline import Understander


@pytest.fixture(scope="session")
def embedded_model() -> EmbeddedModel:
    return load_or_train()


@pytest.fixture(scope="session")
def lexicon() -> DangerLexicon:
    return DangerLexicon.load()


@pytest.fixture(scope="session")
def cues() -> DangerCues:
    return DangerCues.load()


@pytest.fixture(scope="session")
def rules(lexicon: DangerLexicon, cues: DangerCues) -> DangerDetector:
    """The rule layers alone (lexicons and cues, no classifier): a broken rule cannot be
    rescued by the classifier."""
    return DangerDetector(lexicon, cues=cues)


@pytest.fixture
def understander(embedded_model: EmbeddedModel, lexicon: DangerLexicon) -> Understander:
    return Understander(EmbeddedClassifier(embedded_model), embedded_model, lexicon)
