"""The public schema: strict-mode compliance, closed enums, bounds."""

from __future__ import annotations

import copy
import json

import pytest
from pydantic import ValidationError

from briefer.schema import (
    Brief,
    CaveatKind,
    Envelope,
    StakeholderKind,
    brief_json_schema,
    envelope_json_schema,
    strict_schema_problems,
)

from .exchanges import load_exchange


def test_model_facing_schema_passes_strict_mode_rules():
    schema = brief_json_schema()
    assert strict_schema_problems(schema) == []
    text = json.dumps(schema)
    for banned in (
        '"allOf"',
        '"not"',
        '"if"',
        '"oneOf"',
        '"minLength"',
        '"maxLength"',
        '"default"',
    ):
        assert banned not in text


def _objects(node):
    if isinstance(node, dict):
        if node.get("type") == "object":
            yield node
        for value in node.values():
            yield from _objects(value)
    elif isinstance(node, list):
        for item in node:
            yield from _objects(item)


def test_every_object_is_closed_and_fully_required():
    objects = list(_objects(brief_json_schema()))
    assert len(objects) == 5  # Brief, KeyFact, Stakeholder, OpenQuestion, SourcingCaveat
    for obj in objects:
        assert obj["additionalProperties"] is False
        assert sorted(obj["required"]) == sorted(obj["properties"])


@pytest.mark.parametrize(
    ("mutate", "problem"),
    [
        (lambda s: s["$defs"]["KeyFact"].pop("additionalProperties"), "additionalProperties"),
        (lambda s: s["required"].remove("summary"), "required"),
        (lambda s: s["properties"]["headline"].update(maxLength=5), "maxLength"),
        (lambda s: s["properties"].update(x={"allOf": [{"type": "string"}]}), "allOf"),
    ],
)
def test_the_strict_checker_catches_violations(mutate, problem):
    schema = copy.deepcopy(brief_json_schema())
    mutate(schema)
    assert any(problem in p for p in strict_schema_problems(schema))


def test_brief_field_names_are_the_public_contract():
    props = brief_json_schema()["properties"]
    assert list(props) == [
        "headline",
        "summary",
        "key_facts",
        "stakeholders",
        "open_questions",
        "sourcing_caveats",
    ]
    defs = brief_json_schema()["$defs"]
    assert list(defs["KeyFact"]["properties"]) == ["statement", "evidence", "attribution"]
    assert list(defs["Stakeholder"]["properties"]) == ["name", "kind", "role", "stance"]
    assert list(defs["OpenQuestion"]["properties"]) == ["question", "why_it_matters"]
    assert list(defs["SourcingCaveat"]["properties"]) == ["kind", "detail", "evidence"]
    assert defs["StakeholderKind"]["enum"] == [k.value for k in StakeholderKind]
    assert defs["CaveatKind"]["enum"] == [k.value for k in CaveatKind]


def test_envelope_fields():
    assert list(envelope_json_schema()["properties"]) == [
        "schema_version",
        "article",
        "brief",
        "engine",
        "model",
        "prompt",
        "usage",
        "created_at",
        "warnings",
        "verification",
        "sourcing",
    ]


def _good() -> dict:
    body = load_exchange("happy_very_short")["interactions"][0]["response"]["body"]
    return json.loads(body["choices"][0]["message"]["content"])


@pytest.mark.parametrize(
    "mutate",
    [
        lambda b: b.update(key_facts=[]),
        lambda b: b.update(headline="x" * 201),
        lambda b: b.update(extra="field"),
        lambda b: b["stakeholders"][0].update(kind="official"),
        lambda b: b["key_facts"][0].update(evidence=""),
        lambda b: b.update(open_questions=b["open_questions"] * 9),
    ],
)
def test_brief_bounds_are_enforced_client_side(mutate):
    data = _good()
    Brief.model_validate(data)
    mutate(data)
    with pytest.raises(ValidationError):
        Brief.model_validate(data)


def test_envelope_round_trips_through_json():
    from datetime import UTC, datetime

    from briefer.schema import ArticleInfo, SourcingSummary, Usage, Verification

    env = Envelope(
        article=ArticleInfo(title="t", source="s", sha256="0" * 64, words=3, chars=10),
        brief=Brief.model_validate(_good()),
        engine="openai",
        model="m",
        prompt=None,
        usage=Usage(),
        created_at=datetime.now(UTC),
        verification=Verification(
            key_facts=[],
            sourcing_caveats=[],
            exact=0,
            fuzzy=0,
            missing=0,
            grounded_ratio=1.0,
            fuzzy_threshold=90.0,
        ),
        sourcing=SourcingSummary(
            attributions=0,
            named=0,
            anonymous=0,
            unnamed_institution=0,
            anonymous_share=0.0,
            declined_comment=[],
            hedged_numbers=[],
            unverified=[],
        ),
    )
    assert Envelope.model_validate_json(env.model_dump_json()) == env
