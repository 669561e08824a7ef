"""``api/kb.json``: the whole validated knowledge base, with its schema version and generation time."""

from __future__ import annotations

import datetime as dt
import json

from generator.kb.models import KnowledgeBase
from tests.site.fixture_kb import ENTRIES, count


def test_kb_json_is_the_whole_knowledge_base(built):
    document = json.loads((built.site / "api" / "kb.json").read_text(encoding="utf-8"))
    assert document["schema_version"] == 1
    generated = dt.datetime.fromisoformat(document["generated_at"])
    assert generated.tzinfo is not None and abs(dt.datetime.now(dt.UTC) - generated) < dt.timedelta(hours=1)
    for collection in ENTRIES:
        assert len(document[collection.replace("-", "_")]) == count(collection), collection
    # It validates against the schema it documents: readers can rely on every field.
    KnowledgeBase.model_validate({k: v for k, v in document.items() if k not in ("generated_at", "measured_verdicts")})
    faq = {entry["id"]: entry for entry in document["faq"]}
    assert faq["which-is-faster"]["question"] == "Which framework is faster for training?"


def test_api_page_documents_every_collection_and_links_the_file(built):
    article = built.article("api/")
    assert '<a href="kb.json"><code>api/kb.json</code></a>' in article
    for collection in ENTRIES:
        assert f"<code>{collection.replace('-', '_')}</code>" in article
    assert "URL (http or https)" in article and "date (YYYY-MM-DD)" in article
