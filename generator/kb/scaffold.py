"""``invoke new <collection> <id>``: an entry with every field a contributor must fill, and what each one takes.

Written from the models' JSON Schema, so a new field or a new allowed value shows up here by itself. Every value
left to fill is a ``TODO`` that fails validation until it is replaced (an empty text, an empty list), so nothing
half-written passes by accident; its comment says what goes there, listing the allowed values of a choice.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from generator.kb.checks.references import REFERENCE_FIELDS
from generator.kb.checks.schema_modeline import expected_line
from generator.kb.models import COLLECTIONS

# Optional in the schema, yet to be filled: a status other than 'unverified' needs evidence (checks/claim_support).
EVIDENCE_FIELDS = ("sources",)


def scaffold(collection: str, entry_id: str, today: dt.date) -> str:
    """The text of a new ``data/<collection>/<entry_id>.yaml``."""
    schema = COLLECTIONS[collection].model_json_schema()
    properties: dict[str, Any] = schema["properties"]
    wanted = [name for name in properties if name in schema.get("required", []) or name in EVIDENCE_FIELDS]
    lines = [expected_line(collection)]
    for name in wanted:
        prop = _resolve(properties[name], schema)
        lines.append(f"{name}: {_value(name, prop, _hint(name, prop, properties), entry_id, today)}")
    return "\n".join(lines) + "\n"


def _hint(name: str, prop: dict[str, Any], properties: dict[str, Any]) -> str:
    """What goes in a field: the ids it takes when it refers to another collection, else its description."""
    target = REFERENCE_FIELDS.get(name)
    if target is not None:
        many = prop.get("type") == "array"
        hint = f"{'ids' if many else 'the id'} of {'files' if many else 'a file'} in data/{target}/"
        if name == "sources" and not prop.get("minItems"):
            alternative = " or a 'measured_by' benchmark task" if "measured_by" in properties else ""
            hint += f"; at least one{alternative} unless the status is 'unverified'"
        elif many and prop.get("minItems"):
            hint += f"; at least {prop['minItems']}"
        return hint
    if str(prop.get("pattern", "")).startswith("^https?://"):
        return "a web address starting with https://"
    return " ".join(str(prop.get("description", "")).split())


def _resolve(prop: dict[str, Any], schema: dict[str, Any]) -> dict[str, Any]:
    """A property with its ``$ref`` (enums are referenced from ``$defs``) replaced by what it refers to."""
    ref = prop.get("$ref") or next((item.get("$ref") for item in prop.get("allOf", []) if "$ref" in item), None)
    if ref is None:
        return prop
    target = schema["$defs"][ref.rsplit("/", 1)[-1]]
    return {**target, **{key: value for key, value in prop.items() if key not in ("$ref", "allOf")}}


def _value(name: str, prop: dict[str, Any], hint: str, entry_id: str, today: dt.date) -> str:
    about = f" — {hint}" if hint else ""
    if name == "id":
        return entry_id
    if prop.get("format") == "date":
        return today.isoformat()
    if "enum" in prop:
        return f'""  # TODO: one of: {", ".join(str(value) for value in prop["enum"])}{about}'
    kind = prop.get("type")
    if kind == "array":
        return f"[]  # TODO: {hint or 'a list: one item per line starting with - '}"
    if kind == "object":
        return "{}  # TODO: keyed by framework id: 'tensorflow:' and 'pytorch:' on lines indented under it" + about
    if kind == "integer":
        return f'""  # TODO: a whole number{about}'
    if kind == "boolean":
        return f'""  # TODO: true or false{about}'
    return f'""  # TODO: {hint or "text"}'
