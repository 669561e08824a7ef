"""The knowledge base schema: one pydantic model per kind of entry.

Why these shapes:
- Every entry has a stable ``id`` (kebab-case) so pages, the API and cross-references survive renames of titles.
- Framework-specific text is keyed by framework id (``per_framework: {tensorflow: ..., pytorch: ...}``), so adding a
  third framework (JAX) is a data change, never a code change. Cross-file checks make sure the keys exist.
- Every factual entry carries ``sources`` (ids into the ``sources`` collection) and ``last_reviewed``.
- Unknown fields are forbidden everywhere, so a typo in a field name is an error, not silently ignored data.
- Contributor text is plain text: the site escapes it. Markdown-looking text is not interpreted as HTML.
"""

from __future__ import annotations

import datetime as dt
import re
from enum import StrEnum
from typing import Annotated, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StrictBool,
    StrictInt,
    StrictStr,
    StringConstraints,
    model_validator,
)

SCHEMA_VERSION = 1

# Strictness is set per type, not globally: pydantic's global strict mode refuses the plain strings YAML gives for
# enum fields. Text, integers and booleans are strict (a quoted "true" or "3" is an error, never coerced); enums
# accept their string values; dates have their own rule below.
ID_PATTERN = r"^[a-z0-9]+(?:-[a-z0-9]+)*$"
Id = Annotated[
    StrictStr,
    StringConstraints(pattern=ID_PATTERN, min_length=2, max_length=80),
    Field(description="Stable identifier: lower-case words joined by '-', e.g. 'torch-compile'."),
]
Text = Annotated[StrictStr, StringConstraints(strip_whitespace=True, min_length=1, max_length=4000)]
ShortText = Annotated[StrictStr, StringConstraints(strip_whitespace=True, min_length=1, max_length=300)]
Count = StrictInt
Flag = StrictBool

_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_WHITESPACE = re.compile(r"\s")


def _calendar_date(value: object) -> object:
    """Accept a date as YAML writes it (``2024-05-01``, quoted or not) and nothing else.

    YAML turns an unquoted ``2024-05-01`` into a date and a quoted one into a string; both mean the same day, so
    both are accepted. Pydantic's lax mode would also take Unix timestamps and midnight datetimes: refused here.
    """
    if isinstance(value, dt.datetime):
        raise ValueError("expected a date like 2024-05-01, without a time of day")
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str) and _ISO_DATE.match(value.strip()):
        try:
            return dt.date.fromisoformat(value.strip())
        except ValueError:
            raise ValueError(
                f"{value.strip()} is not a calendar date; write a real day as YYYY-MM-DD"
            ) from None
    raise ValueError("expected a date written as YYYY-MM-DD, e.g. 2024-05-01")


def _not_in_future(value: dt.date) -> dt.date:
    if value > dt.date.today():
        raise ValueError(f"date {value.isoformat()} is in the future; use today's date or an earlier one")
    return value


PastDate = Annotated[dt.date, BeforeValidator(_calendar_date), AfterValidator(_not_in_future)]


def _http_url(value: str) -> str:
    # Lower-case scheme only, to match the JSON Schema pattern editors check as you type.
    if not (value.strip().startswith("https://") or value.strip().startswith("http://")):
        raise ValueError(
            "URL must start with https:// or http:// (javascript:, data: and other schemes are refused)"
        )
    if _WHITESPACE.search(value.strip()) or len(value) > 2000 or "." not in value.split("/")[2]:
        raise ValueError("URL is not a well-formed web address (no spaces, a host name with a dot)")
    return value.strip()


HttpUrl = Annotated[
    StrictStr, AfterValidator(_http_url), Field(json_schema_extra={"pattern": "^https?://[^\\s/]+\\.[^\\s/]"})
]


class Strict(BaseModel):
    """Base for every model: unknown fields are errors, and values are not coerced across types.

    (Not pydantic's global ``strict=True``: that refuses enum values given as strings, which is all YAML has.
    The field types above are strict one by one instead.)
    """

    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)


class ClaimStatus(StrEnum):
    """How a claim holds up against the evidence we have."""

    supported = "supported"  # evidence agrees
    disputed = "disputed"  # sources disagree, or it depends heavily on the set-up
    contradicted = "contradicted"  # evidence says the opposite
    outdated = "outdated"  # was true once; no longer
    unverified = "unverified"  # no primary evidence either way (yet)


class SourceKind(StrEnum):
    official_docs = "official-docs"
    release_notes = "release-notes"
    paper = "paper"
    official_blog = "official-blog"
    repository = "repository"
    survey = "survey"
    article = "article"  # secondary source: never enough on its own for a "supported" status


class Category(StrEnum):
    ease_of_use = "ease-of-use"
    performance = "performance"
    flexibility = "flexibility"
    community = "community"
    ecosystem = "ecosystem"
    deployment = "deployment"


class Source(Strict):
    """A primary (or clearly labelled secondary) source that entries cite by id."""

    id: Id
    title: ShortText = Field(description="The source's own title.")
    url: HttpUrl = Field(description="Where the source can be read (http or https).")
    publisher: ShortText = Field(description="Who publishes it, e.g. 'PyTorch Foundation'.")
    kind: SourceKind = Field(
        description="What sort of source it is; an article is secondary and never enough alone for 'supported'.",
    )
    published: PastDate | None = Field(None, description="Publication date, when the source states one.")
    accessed: PastDate = Field(description="When a maintainer last opened the URL and checked the claim.")
    note: Text | None = Field(
        None, description="Anything a reader should know about the source (an archived copy, a paywall).",
    )


class Framework(Strict):
    id: Id
    name: ShortText = Field(description="The framework's name as pages show it.")
    developer: ShortText = Field(description="Who develops and maintains it.")
    first_release: PastDate | None = Field(None, description="Date of the first public release, when known.")
    license: ShortText = Field(description="Its licence, as its repository states it.")
    homepage: HttpUrl = Field(description="The official home page.")
    repository: HttpUrl | None = Field(None, description="The official source repository, if public.")
    summary: Text = Field(
        description="What the framework is, in a few sentences (the first is shown on the home page).",
    )
    article_says: Text | None = Field(
        None, description="What the source article says, quoted or closely paraphrased."
    )
    sources: list[Id] = Field(min_length=1, description="Ids of the sources (data/sources/) this entry cites.")
    last_reviewed: PastDate = Field(
        description="When a maintainer last checked this entry against its sources (YYYY-MM-DD).",
    )


class Metric(StrEnum):
    """What a measured comparison compares; each names the result kind it is read from."""

    throughput = "throughput"  # samples per second of performance results (higher is better)
    accuracy = "accuracy"  # final test accuracy of the accuracy-parity runs (higher is better)
    deploy_coverage = "deploy-coverage"  # share of a framework's export paths that work (deployment results)
    deploy_latency = "deploy-latency"  # batch-1 latency of a framework's fastest working fp32 export path

    @property
    def is_deployment(self) -> bool:
        return self in (Metric.deploy_coverage, Metric.deploy_latency)


class Scale(StrEnum):
    """The scale a claim speaks of. 'large' counts only measurements of models of at least a billion parameters
    (see generator.site.verdicts.LARGE_MODEL_PARAMETERS): a claim about large models is not settled by small ones."""

    any = "any"
    large = "large"


class ComparisonScope(Strict):
    """Where a claim's comparison applies: measurements outside it are shown beside the verdict, never counted."""

    devices: list[Literal["cpu", "cuda"]] = Field(
        default_factory=lambda: ["cpu", "cuda"], min_length=1, description="Device kinds the claim speaks of."
    )
    scale: Scale = Scale.any


class MeasuredComparison(Strict):
    """The comparison a claim makes, as data, so the build can evaluate it against every measured machine.

    Either ``favours`` (this framework comes out ahead: faster, more accurate, more export paths that work) or
    ``within_percent`` (the two are within that many percent, or accuracy or coverage points, of each other).
    ``paths`` narrows a deployment comparison to the export paths the claim speaks of (on-device ones, ONNX).
    """

    metric: Metric = Metric.throughput
    phase: Literal["train", "inference"] | None = Field(
        None, description="train or inference (throughput only)."
    )
    mode: Literal["best", "eager", "graph", "compiled"] = Field(
        "best", description="Execution mode compared; 'best' = each framework's fastest mode."
    )
    precision: Literal["fp32", "bf16", "fp16"] = "fp32"
    favours: Id | None = Field(None, description="The framework id the claim says comes out ahead.")
    within_percent: float | None = Field(
        None, gt=0, le=100, description="The claim says the two are within this many percent (or points)."
    )
    paths: list[str] | None = Field(
        None, min_length=1,
        description="Deployment metrics only: the export path ids compared (generator/bench/deploy/paths.py), "
        "e.g. tf-onnx, torch-onnx; every path when omitted.",
    )
    scope: ComparisonScope = Field(default_factory=ComparisonScope)
    why_status_differs: Text | None = Field(
        None,
        description="Shown beside the verdict when the human status deliberately differs from the measured "
        "verdicts (it silences the validation warning).",
    )

    @model_validator(mode="after")
    def _one_statement(self) -> MeasuredComparison:
        if (self.favours is None) == (self.within_percent is None):
            raise ValueError("give exactly one of 'favours' (a framework id) or 'within_percent' (a number)")
        if self.metric is Metric.throughput and self.phase is None:
            raise ValueError("a throughput comparison needs 'phase: train' or 'phase: inference' — Tip: add the phase "
                             "the claim speaks of")
        if self.paths is not None and not self.metric.is_deployment:
            raise ValueError(f"'paths' applies to deployment metrics only, not '{self.metric}' — Tip: remove "
                             "'paths', or use 'metric: deploy-coverage' or 'metric: deploy-latency'")
        if self.metric.is_deployment and self.phase is not None:
            raise ValueError(f"'phase' applies to throughput only; a '{self.metric}' comparison has none — Tip: "
                             "remove 'phase'")
        if self.metric.is_deployment and self.scope.scale is not Scale.any:
            raise ValueError(f"'scope.scale' cannot be measured for '{self.metric}' (deployment results record no "
                             "parameter count) — Tip: remove 'scale' from scope")
        return self


class Claim(Strict):
    """A factual claim (usually the source article's) and how it holds up."""

    id: Id
    quote: Text = Field(description="The claim as the article states it.")
    section: ShortText = Field(description="Where the article makes it, e.g. 'Performance and Speed'.")
    status: ClaimStatus = Field(
        description="How the claim holds up against the evidence: supported, disputed, contradicted, outdated or unverified.",
    )
    evidence: Text = Field(description="Why this status: what the sources or measurements show.")
    measured_by: list[Id] = Field(
        default_factory=list,
        description="Benchmark task ids whose measurements bear on this claim (see data/benchmarks/).",
    )
    compares: MeasuredComparison | None = Field(
        None, description="The comparison the claim makes, evaluated against the measurements of measured_by."
    )
    sources: list[Id] = Field(default_factory=list, description="Ids of the sources (data/sources/) this entry cites.")
    last_reviewed: PastDate = Field(
        description="When a maintainer last checked this entry against its sources (YYYY-MM-DD).",
    )


class FrameworkView(Strict):
    """One framework's side of a comparison aspect."""

    summary: Text
    code: Text | None = Field(None, description="A short, runnable code example (shown in a content tab).")


class Aspect(Strict):
    """One row of a comparison: e.g. 'Debugging' under the ease-of-use topic."""

    id: Id
    topic: Id
    title: ShortText = Field(description="The aspect's name, e.g. 'Debugging'.")
    article_says: dict[Id, Text] = Field(
        default_factory=dict, description="The article's cell per framework id."
    )
    per_framework: dict[Id, FrameworkView] = Field(
        min_length=1, description="What we found for each framework id: a summary and optional code.",
    )
    verdict: Text = Field(description="Our comparison of the frameworks on this aspect.")
    claims: list[Id] = Field(default_factory=list, description="Ids of the claims (data/claims/) this entry bears on.")
    caveat: Text | None = Field(None, description="Where the verdict does not hold or depends on the set-up.")
    sources: list[Id] = Field(min_length=1, description="Ids of the sources (data/sources/) this entry cites.")
    last_reviewed: PastDate = Field(
        description="When a maintainer last checked this entry against its sources (YYYY-MM-DD).",
    )


class Topic(Strict):
    """A comparison topic: one page on the site, grouping aspects."""

    id: Id
    title: ShortText = Field(description="The topic's page title.")
    category: Category = Field(description="The comparison category the topic belongs to.")
    order: Count = Field(ge=0, le=1000, description="Position of the topic in menus and tables (lower first).")
    summary: Text = Field(description="What the topic covers, shown at the top of its page.")
    at_a_glance: dict[Id, ShortText] = Field(min_length=1, description="One-line verdict per framework id.")
    sources: list[Id] = Field(min_length=1, description="Ids of the sources (data/sources/) this entry cites.")
    last_reviewed: PastDate = Field(
        description="When a maintainer last checked this entry against its sources (YYYY-MM-DD).",
    )


class UseCase(Strict):
    id: Id
    title: ShortText = Field(description="The use case, e.g. 'Mobile and edge AI applications'.")
    article_recommends: ShortText = Field(description="What the article recommended for it, in its words.")
    recommendation: list[Id] = Field(
        min_length=1, description="Framework ids we recommend (several = either)."
    )
    rationale: Text = Field(description="Why we recommend what we do, with what changed since the article.")
    tips: dict[Id, Text] = Field(
        default_factory=dict,
        description="For a recommendation of several frameworks (\"either\"): per recommended framework id, what "
        "would tip the choice to it, e.g. a runtime the team already runs.",
    )
    claims: list[Id] = Field(default_factory=list, description="Ids of the claims (data/claims/) this entry bears on.")
    sources: list[Id] = Field(min_length=1, description="Ids of the sources (data/sources/) this entry cites.")
    last_reviewed: PastDate = Field(
        description="When a maintainer last checked this entry against its sources (YYYY-MM-DD).",
    )

    @model_validator(mode="after")
    def _tips_for_recommended(self) -> UseCase:
        if self.tips and len(self.recommendation) < 2:
            raise ValueError("'tips' says what tips an \"either\" one way; this use case recommends one framework "
                             "— Tip: remove 'tips' or recommend several frameworks")
        stray = [framework for framework in self.tips if framework not in self.recommendation]
        if stray:
            raise ValueError(f"'tips' names {', '.join(stray)}, which 'recommendation' does not list — Tip: give "
                             "tips only for the recommended frameworks")
        return self


class BenchmarkTask(Strict):
    id: Id
    title: ShortText = Field(description="The task's page title.")
    model: ShortText = Field(description="The network both frameworks run.")
    dataset: ShortText = Field(description="The data fed to both frameworks.")
    article_says: dict[Id, Text] = Field(
        default_factory=dict, description="The article's figure or words per framework id, for comparison.",
    )
    description: Text = Field(description="What the task measures and how, shown on its page.")
    claims: list[Id] = Field(default_factory=list, description="Ids of the claims (data/claims/) this entry bears on.")
    sources: list[Id] = Field(min_length=1, description="Ids of the sources (data/sources/) this entry cites.")
    last_reviewed: PastDate = Field(
        description="When a maintainer last checked this entry against its sources (YYYY-MM-DD).",
    )


class Trend(Strict):
    id: Id
    title: ShortText = Field(description="The trend in a few words.")
    from_article: Flag = Field(description="True when the article predicted it; false when we added it.")
    summary: Text = Field(description="What happened since, with its evidence.")
    status: ClaimStatus = Field(description="How the prediction holds up (as for claims).")
    claims: list[Id] = Field(default_factory=list, description="Ids of the claims (data/claims/) this entry bears on.")
    sources: list[Id] = Field(min_length=1, description="Ids of the sources (data/sources/) this entry cites.")
    last_reviewed: PastDate = Field(
        description="When a maintainer last checked this entry against its sources (YYYY-MM-DD).",
    )


class ProCon(Strict):
    text: ShortText = Field(description="The pro or con in a few words.")
    from_article: Flag = Field(description="True when the article lists it; false when we added it.")
    status: ClaimStatus = Field(description="How it holds up (as for claims).")
    note: Text | None = Field(None, description="What changed or what the evidence adds.")
    claims: list[Id] = Field(
        default_factory=list, description="The claim files this pro or con restates; its status can be no stronger."
    )
    sources: list[Id] = Field(default_factory=list, description="Ids of the sources (data/sources/) this entry cites.")


class ProsCons(Strict):
    id: Id
    framework: Id = Field(description="The framework id these pros and cons are about.")
    pros: list[ProCon] = Field(min_length=1, description="Its strengths.")
    cons: list[ProCon] = Field(min_length=1, description="Its weaknesses.")
    last_reviewed: PastDate = Field(
        description="When a maintainer last checked this entry against its sources (YYYY-MM-DD).",
    )


class Faq(Strict):
    id: Id
    order: Count = Field(ge=0, le=1000, description="Position of the question on the FAQ page (lower first).")
    question: ShortText = Field(description="The question as the article asks it.")
    article_answer: Text | None = Field(None, description="The article's answer, quoted or closely paraphrased.")
    answer: Text = Field(description="Our answer, with its sources.")
    claims: list[Id] = Field(default_factory=list, description="Ids of the claims (data/claims/) this entry bears on.")
    sources: list[Id] = Field(min_length=1, description="Ids of the sources (data/sources/) this entry cites.")
    last_reviewed: PastDate = Field(
        description="When a maintainer last checked this entry against its sources (YYYY-MM-DD).",
    )


class Release(Strict):
    """The latest release of one package, as the package index reports it; refreshed by tools/refresh_versions.py.

    Pages read versions from here instead of prose, and validation flags prose that calls an older version the
    latest or current one.
    """

    id: Id
    name: ShortText = Field(description="The name prose uses, e.g. 'PyTorch'.")
    package: ShortText = Field(description="The project name on PyPI, e.g. 'torch'.")
    aliases: list[ShortText] = Field(
        default_factory=list, description="Other names prose uses for it (checked for stale 'latest' claims)."
    )
    latest_version: ShortText = Field(description="The version PyPI calls the latest (pre-releases never are).")
    released: PastDate = Field(description="Upload date (UTC) of that version's first file on PyPI.")
    url: HttpUrl = Field(description="The version's page on PyPI.")


# The folder under data/ each collection lives in, and the model of one file there (one entry per file).
COLLECTIONS: dict[str, type[Strict]] = {
    "sources": Source,
    "frameworks": Framework,
    "claims": Claim,
    "topics": Topic,
    "aspects": Aspect,
    "use-cases": UseCase,
    "benchmarks": BenchmarkTask,
    "trends": Trend,
    "pros-cons": ProsCons,
    "faq": Faq,
    "releases": Release,
}


class KnowledgeBase(Strict):
    """The whole validated knowledge base, as the site and the JSON API see it."""

    schema_version: Literal[1] = SCHEMA_VERSION
    sources: list[Source]
    frameworks: list[Framework]
    claims: list[Claim]
    topics: list[Topic]
    aspects: list[Aspect]
    use_cases: list[UseCase]
    benchmarks: list[BenchmarkTask]
    trends: list[Trend]
    pros_cons: list[ProsCons]
    faq: list[Faq]
    releases: list[Release] = Field(default_factory=list)
