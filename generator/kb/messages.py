"""Pydantic's validation errors, rewritten for contributors: what is wrong with which field, and how to fix it.

Pydantic's own messages ("Input should be a valid string") name neither the field nor the fix; each error type
that a YAML entry can produce gets a sentence here. Anything unforeseen falls back to pydantic's message, still
with the field and a pointer to the schema.
"""

from __future__ import annotations

import difflib
import re
import types
import typing
from enum import Enum
from typing import Any

from pydantic import BaseModel

from generator.kb.yamlsource import Loc

_TYPE_NAMES = {
    "string_type": "text",
    "int_type": "a whole number",
    "int_parsing": "a whole number",
    "bool_type": "true or false",
    "bool_parsing": "true or false",
    "list_type": "a list (lines starting with '- ')",
    "dict_type": "a mapping (key: value lines)",
    "model_type": "a mapping of fields (key: value lines)",
    "model_attributes_type": "a mapping of fields (key: value lines)",
}


def field_name(loc: Loc) -> str:
    """``('pros', 0, 'text')`` → ``pros[0].text``: the field as a contributor finds it in the file."""
    name = ""
    for part in loc:
        if part == "[key]":
            name += " (key)"
        elif isinstance(part, int):
            name += f"[{part}]"
        else:
            name += f".{part}" if name else str(part)
    return name or "(top level)"


def describe(error: dict[str, Any], model: type[BaseModel], collection: str) -> str:
    """One sentence (plus a Tip) for one pydantic error."""
    loc: Loc = tuple(error["loc"])
    kind = error["type"]
    ctx = error.get("ctx") or {}
    value = error.get("input")
    field = field_name(loc)
    schema = f"schema/{collection}.schema.json"

    if kind == "extra_forbidden":
        allowed = _fields_at(model, loc[:-1])
        close = difflib.get_close_matches(str(loc[-1]), allowed, n=1)
        hint = f"did you mean '{close[0]}'? " if close else ""
        return (
            f"unknown field '{field}' — Tip: {hint}allowed here: {', '.join(allowed)}"
            if allowed
            else f"unknown field '{field}' — Tip: remove it (see {schema})"
        )
    if kind == "missing":
        description = _field_description(model, loc)
        about = f" ({description})" if description else ""
        return f"missing required field '{field}'{about} — Tip: add '{loc[-1]}:' here (see {schema})"
    if kind == "enum":
        allowed = _enum_values(model, loc)
        listed = ", ".join(allowed) if allowed else ctx.get("expected", "")
        close = difflib.get_close_matches(str(value), allowed, n=1)
        hint = f"did you mean '{close[0]}'? " if close else ""
        return f"'{field}' has the value {value!r}, which is not allowed — Tip: {hint}use one of: {listed}"
    if kind == "literal_error":
        return f"'{field}' must be {ctx.get('expected')} — Tip: use that exact value"
    if kind in _TYPE_NAMES:
        return (
            f"'{field}' must be {_TYPE_NAMES[kind]}, not {_yaml_kind(value)}"
            f" — Tip: {_type_tip(kind, value, str(loc[-1]) if loc else field)}"
        )
    if kind == "string_too_short":
        if isinstance(value, str) and value.strip():
            return f"'{field}' is too short: {value!r} — Tip: use at least {ctx.get('min_length')} characters"
        if _is_required(model, loc):
            return f"'{field}' is empty — Tip: write the text; the field is required (see {schema})"
        return f"'{field}' is empty — Tip: write the text, or remove the field (it is optional)"
    if kind == "string_too_long":
        limit = ctx.get("max_length")
        roomier = _roomier_fields(model, loc, limit)
        where = (
            f"; longer prose belongs in {' or '.join(repr(name) for name in roomier)}"
            if roomier
            else "; link the details through a source instead of copying them"
        )
        return (
            f"'{field}' is too long ({len(str(value))} characters, at most {limit}) — Tip: shorten it{where}"
        )
    if kind == "string_pattern_mismatch":
        if ctx.get("pattern", "").startswith("^[a-z0-9]"):
            return f"'{field}' has {value!r}, which is not a valid id — Tip: {_id_tip(str(value))}"
        return f"'{field}' has {value!r}, which does not match {ctx.get('pattern')} — Tip: see {schema}"
    if kind == "too_short":
        return f"'{field}' needs at least {ctx.get('min_length')} item(s) — Tip: add them (see {schema})"
    if kind == "too_long":
        return f"'{field}' has too many items (at most {ctx.get('max_length')}) — Tip: remove some"
    if kind in {"greater_than_equal", "less_than_equal", "greater_than", "less_than"}:
        limit = next(iter(ctx.values()), "")
        words = {"greater_than_equal": "at least", "less_than_equal": "at most"}.get(
            kind, kind.replace("_", " ")
        )
        return f"'{field}' is {value!r}, but must be {words} {limit} — Tip: pick a number in range"
    if kind == "value_error":
        reason = str(ctx.get("error") or error["msg"]).removeprefix("Value error, ")
        return f"'{field}': {reason}{_value_tip(reason)}"
    return f"'{field}': {error['msg']} — Tip: see {schema}"


def _id_tip(value: str) -> str:
    if re.search(r"\s-\s", value):
        return "two list items ran together: put each '- ' item on its own line, indented like the first"
    valid = re.sub(r"[^a-z0-9]+", "-", value.lower()).strip("-")
    example = f"'{valid}'" if valid and valid != value else "'torch-compile'"
    return f"use lower-case letters and digits joined by '-', e.g. {example}"


def _value_tip(reason: str) -> str:
    if "future" in reason:
        return " — Tip: dates record when something happened or was checked, so they cannot be ahead of today"
    if "well-formed" in reason:
        return " — Tip: copy the address from the browser's address bar (spaces are written %20)"
    if "URL" in reason:
        return " — Tip: link the web page itself, starting with https://"
    if "date" in reason:
        return " — Tip: write dates as YYYY-MM-DD"
    return ""


def _yaml_kind(value: object) -> str:
    if value is None:
        return "empty (null)"
    if isinstance(value, bool):
        return f"the boolean {str(value).lower()}"
    if isinstance(value, (int, float)):
        return f"the number {value}"
    if isinstance(value, str):
        return f"the text {value[:40]!r}"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "a mapping"
    return type(value).__name__


def _type_tip(kind: str, value: object, name: str) -> str:
    if kind == "string_type" and value is None:
        return "write the text after the colon (an empty value means null)"
    if kind == "string_type" and isinstance(value, (bool, int, float)):
        as_typed = str(value).lower() if isinstance(value, bool) else value
        return f'put the value in quotes to make it text: {name}: "{as_typed}"'
    if kind == "string_type" and isinstance(value, dict):
        return f"write the text on the same line, after '{name}: ' (lines indented under a key make a mapping)"
    if kind == "string_type" and isinstance(value, list):
        return f"write the text after '{name}: ' without '- ' (a '- ' line makes a list)"
    if kind in {"bool_type", "bool_parsing"}:
        return "write true or false without quotes"
    if kind in {"int_type", "int_parsing"}:
        return "write the number without quotes or decimals"
    if kind == "list_type" and isinstance(value, str) and value.startswith("-") and not value.startswith("- "):
        return f"put a space after the '-': - {value[1:]}"
    if kind == "list_type":
        return "write each item on its own line starting with '- ', or as [a, b]"
    if isinstance(value, list):
        return "remove the '- ' in front of the 'name: value' lines under this key (a mapping has no dashes)"
    return "indent the fields under this key by two spaces, one 'name: value' per line"


def _annotation_at(model: type[BaseModel], loc: Loc) -> Any:
    """The type annotation found by following ``loc`` through the models (None when it cannot be followed)."""
    annotation: Any = model
    for part in loc:
        annotation = _unwrap(annotation)
        if isinstance(annotation, type) and issubclass(annotation, BaseModel):
            info = annotation.model_fields.get(str(part))
            if info is None:
                return None
            annotation = info.annotation
            continue
        origin = typing.get_origin(annotation)
        args = typing.get_args(annotation)
        if origin is list and args:
            annotation = args[0]
        elif origin is dict and len(args) == 2:
            annotation = args[1]
        else:
            return None
    return _unwrap(annotation)


def _unwrap(annotation: Any) -> Any:
    """Strip Annotated[...] and Optional[...] down to the type that matters."""
    while True:
        origin = typing.get_origin(annotation)
        if origin is typing.Annotated:
            annotation = typing.get_args(annotation)[0]
        elif origin in (typing.Union, types.UnionType):
            members = [arg for arg in typing.get_args(annotation) if arg is not type(None)]
            if len(members) != 1:
                return annotation
            annotation = members[0]
        else:
            return annotation


def _fields_at(model: type[BaseModel], loc: Loc) -> list[str]:
    annotation = _annotation_at(model, loc)
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return list(annotation.model_fields)
    return []


def _field_description(model: type[BaseModel], loc: Loc) -> str:
    parent = _annotation_at(model, loc[:-1])
    if isinstance(parent, type) and issubclass(parent, BaseModel):
        info = parent.model_fields.get(str(loc[-1]))
        if info is not None and info.description:
            return info.description.rstrip(".")
    return ""


def _parent_model(model: type[BaseModel], loc: Loc) -> type[BaseModel] | None:
    parent = _annotation_at(model, loc[:-1]) if loc else None
    return parent if isinstance(parent, type) and issubclass(parent, BaseModel) else None


def _is_required(model: type[BaseModel], loc: Loc) -> bool:
    """Whether the field is required (a list item, e.g. ``sources[0]``, counts as required: it cannot be empty)."""
    parent = _parent_model(model, loc)
    if parent is None:
        return True
    info = parent.model_fields.get(str(loc[-1]))
    return info is None or info.is_required()


def _roomier_fields(model: type[BaseModel], loc: Loc, limit: object) -> list[str]:
    """Text fields beside this one that take more characters than ``limit``: where longer prose can go."""
    parent = _parent_model(model, loc)
    if parent is None or not isinstance(limit, int):
        return []
    properties = parent.model_json_schema().get("properties", {})
    return [
        name
        for name, prop in properties.items()
        if name != loc[-1] and prop.get("type") == "string" and prop.get("maxLength", 0) > limit
    ]


def _enum_values(model: type[BaseModel], loc: Loc) -> list[str]:
    annotation = _annotation_at(model, loc)
    if isinstance(annotation, type) and issubclass(annotation, Enum):
        return [str(member.value) for member in annotation]
    return []
