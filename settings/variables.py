"""Flat environment variables into nested groups, and back.

Deployments set ``DATABASE_URL``; the code reads ``settings.database.url``.  Each field
names its variable in ``validation_alias`` (settings/groups.py); this module walks those
names, as a pydantic-settings source for the environment and the .env file, and for
callers that hold variables in a mapping (tests, scripts, the manifests' checks).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from pydantic import BaseModel
from pydantic.fields import FieldInfo
from pydantic_settings import BaseSettings, PydanticBaseSettingsSource


def _group(field: FieldInfo) -> type[BaseModel] | None:
    """The model a field holds, if it is a group of settings."""
    annotation = field.annotation
    return annotation if isinstance(annotation, type) and issubclass(annotation, BaseModel) else None


def variables_of(model: type[BaseModel]) -> Iterator[tuple[str, tuple[str, ...], FieldInfo]]:
    """Every variable of ``model``: its name, the path of its field, the field."""
    for name, field in model.model_fields.items():
        if (group := _group(field)) is not None:
            for variable, path, inner in variables_of(group):
                yield variable, (name, *path), inner
        elif isinstance(field.validation_alias, str):
            yield field.validation_alias, (name,), field


def grouped(model: type[BaseModel], variables: Mapping[str, object], *, strict: bool = True) -> dict[str, Any]:
    """``{"DATABASE_URL": u}`` as ``{"database": {"url": u}}``; names in any case.

    ``strict``: a name that is no variable of ``model`` is an error (a typo in a test or a
    script), where the environment is simply full of other programs' variables.
    """
    given = {name.lower(): name for name in variables}
    nested: dict[str, Any] = {}
    for variable, path, _field in variables_of(model):
        name = given.pop(variable.lower(), None)
        if name is None or variables[name] is None:
            continue
        target = nested
        for step in path[:-1]:
            target = target.setdefault(step, {})
        target[path[-1]] = variables[name]
    if strict and given:
        raise KeyError(f"not settings of {model.__name__}: {', '.join(sorted(given.values()))}")
    return nested


class FlatVariables(PydanticBaseSettingsSource):
    """A pydantic-settings source: the variables another source read (the environment, the
    .env file), placed into their groups."""

    def __init__(self, settings_cls: type[BaseSettings], variables: Mapping[str, str | None]) -> None:
        super().__init__(settings_cls)
        self.variables = variables

    def get_field_value(self, field: FieldInfo, field_name: str) -> tuple[Any, str, bool]:
        # Unused: __call__ reads every field at once, by variable name.
        return None, field_name, False

    def __call__(self) -> dict[str, Any]:
        return grouped(self.settings_cls, self.variables, strict=False)
