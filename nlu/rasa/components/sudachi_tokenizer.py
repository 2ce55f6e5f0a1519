"""Rasa 3 graph tokenizer for Japanese: ``nlu.japanese_tokens`` (SudachiPy) wrapped for Rasa.

Rasa's own tokenizers split on whitespace, which Japanese does not have.  Token ``lemma`` is
Sudachi's normalised form, so CountVectorsFeaturizer (``use_lemma``) sees ｶﾞｽ代 as ガス代 and
払えません as 払う.
"""

from __future__ import annotations

from typing import Any

from rasa.engine.graph import ExecutionContext
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.tokenizers.tokenizer import Token, Tokenizer
from rasa.shared.nlu.training_data.message import Message

from nlu.japanese_tokens import JapaneseTokenizer


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.MESSAGE_TOKENIZER], is_trainable=False)
class SudachiTokenizer(Tokenizer):
    """Splits Japanese (and mixed English) text into Sudachi words with exact offsets."""

    @staticmethod
    def get_default_config() -> dict[str, Any]:
        return {
            # Sudachi split mode: A (short units), B (middle), C (named-entity length).
            "mode": "C",
            # 。、！ carry little meaning for intents; emoji are kept either way.
            "keep_punctuation": False,
            "intent_tokenization_flag": False,
            "intent_split_symbol": "_",
            "token_pattern": None,
            "prefix_separator_symbol": None,
        }

    @staticmethod
    def supported_languages() -> list[str] | None:
        return ["ja"]

    @staticmethod
    def required_packages() -> list[str]:
        return ["sudachipy", "sudachidict_core"]

    def __init__(self, config: dict[str, Any]) -> None:
        super().__init__(config)
        self._japanese = JapaneseTokenizer(
            mode=config["mode"], keep_punctuation=config["keep_punctuation"]
        )

    @classmethod
    def create(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> SudachiTokenizer:
        return cls(config)

    def tokenize(self, message: Message, attribute: str) -> list[Token]:
        text = message.get(attribute)
        tokens = [
            Token(word.surface, word.start, end=word.end, lemma=word.normalized)
            for word in self._japanese.tokenize(text)
        ]
        if not tokens:
            # Like WhitespaceTokenizer: featurizers and DIET need at least one token.
            tokens = [Token(text, 0)]
        patterned: list[Token] = self._apply_token_pattern(tokens)
        return patterned
