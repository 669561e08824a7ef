"""The JSON API (``api/kb.json``) and the page that documents it, generated from the schema so it cannot drift.

Beside the collections, ``measured_verdicts`` holds every claim's computed verdict per machine with its numbers
(:mod:`generator.site.verdicts`), so a reader of the API sees the same verdicts as the fact-check page.
"""

from __future__ import annotations

import json
from dataclasses import asdict
from typing import Any

from generator.kb.models import COLLECTIONS, SCHEMA_VERSION, ClaimStatus
from generator.site.context import Asset, Page, SiteContext
from generator.site.markup import render
from generator.site.pagekit import PageKit
from generator.site.verdicts import ClaimVerdicts, all_verdicts

KB_JSON = "api/kb.json"
KB_FIELDS = {collection: collection.replace("-", "_") for collection in COLLECTIONS}


def kb_document(ctx: SiteContext) -> dict[str, Any]:
    """The whole validated knowledge base, with its schema version and when this copy was generated."""
    data = ctx.kb.model_dump(mode="json")
    data.pop("schema_version", None)
    statuses = {claim.id: claim.status for claim in ctx.kb.claims}
    verdicts = {claim_id: verdict_document(verdict, statuses[claim_id])
                for claim_id, verdict in all_verdicts(ctx.kb, ctx.results).items()}
    return {"schema_version": SCHEMA_VERSION, "generated_at": ctx.built_at.isoformat(), **data,
            "measured_verdicts": verdicts}


def verdict_document(verdict: ClaimVerdicts, status: ClaimStatus) -> dict[str, Any]:
    """One claim's verdicts as plain JSON: the statement, each machine's outcome and every task's numbers, and the
    status the measurements call for where the human one disagrees with them everywhere (else null)."""
    suggested = verdict.disagreement(status)
    return {**asdict(verdict), "status": status.value,
            "measurements_call_for": suggested.value if suggested else None}


def pages(ctx: SiteContext) -> list[Page | Asset]:
    document = kb_document(ctx)
    payload = json.dumps(document, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    kit = PageKit(ctx, "api.md")
    collections = []
    for collection, model in COLLECTIONS.items():
        schema = model.model_json_schema()
        defs = schema.get("$defs", {})
        required = set(schema.get("required", []))
        collections.append({
            "key": KB_FIELDS[collection],
            "folder": collection,
            "count": len(document[KB_FIELDS[collection]]),
            "description": " ".join((model.__doc__ or "").split()),
            "fields": [
                {
                    "name": name,
                    "type": describe_type(prop, defs),
                    "required": "yes" if name in required else "no",
                    "description": prop.get("description", ""),
                }
                for name, prop in schema["properties"].items()
            ],
        })
    # The page documents the schema, generated from the code at every build: it is as current as the build.
    body = render("api.html.j2", url=KB_JSON, href=kit.url(KB_JSON), schema_version=SCHEMA_VERSION, collections=collections,
                  size_kib=f"{len(payload) / 1024:,.0f}")
    kit.reviewed_on(ctx.built_at.date())
    page = kit.page("JSON API", body, section="About", order=20,
                    description="Download the whole knowledge base as JSON: the schema of every collection.")
    return [page, Asset(KB_JSON, payload)]


def describe_type(prop: dict[str, Any], defs: dict[str, Any]) -> str:
    """A reader's name for a JSON Schema type: 'list of source ids', 'date (YYYY-MM-DD)', 'one of: a, b'."""
    if "$ref" in prop:
        name = prop["$ref"].rsplit("/", 1)[-1]
        target = defs.get(name, {})
        if "enum" in target:
            return "one of: " + ", ".join(str(value) for value in target["enum"])
        return f"object ({name})"
    if "anyOf" in prop:
        options = [describe_type(option, defs) for option in prop["anyOf"] if option.get("type") != "null"]
        return " or ".join(options) + " or null"
    kind = prop.get("type")
    if kind == "array":
        return "list of " + describe_type(prop.get("items", {}), defs)
    if kind == "object":
        values = next(iter(prop.get("patternProperties", {}).values()), {})
        return "map of id → " + describe_type(values, defs)
    if kind == "string":
        if prop.get("format") == "date":
            return "date (YYYY-MM-DD)"
        if str(prop.get("pattern", "")).startswith("^https?"):
            return "URL (http or https)"
        if prop.get("pattern") == r"^[a-z0-9]+(?:-[a-z0-9]+)*$":
            return "id"
        return "text"
    return {"integer": "integer", "boolean": "true or false", "number": "number"}.get(str(kind), "value")

