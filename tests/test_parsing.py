"""Whatever text a model sends back, parsing either yields schema-valid data or says why not."""

from __future__ import annotations

import json

from hypothesis import given
from hypothesis import strategies as st
from jsonschema import Draft202012Validator

from copydesk.model import parse_and_validate
from copydesk.prompt_library import PromptLibrary

SCHEMAS = {name: PromptLibrary().schema(name) for name in ("summarise", "claims", "check")}

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=30),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=10), children, max_size=4)
    ),
    max_leaves=20,
)


@given(
    st.sampled_from(sorted(SCHEMAS)), st.one_of(st.text(max_size=300), json_values.map(json.dumps))
)
def test_any_answer_is_either_valid_or_rejected_with_reasons(name, content):
    data, errors = parse_and_validate(content, SCHEMAS[name])
    if errors:
        assert data is None and all(isinstance(e, str) and e for e in errors)
    else:
        assert not list(Draft202012Validator(SCHEMAS[name]).iter_errors(data))


@given(
    st.text(min_size=20, max_size=200).filter(lambda s: s.strip()),
    st.sampled_from(["", "Here you go:\n", "```json\n"]),
)
def test_a_valid_answer_wrapped_in_chatter_or_fences_is_recovered(summary, prefix):
    body = json.dumps({"summary": summary})
    suffix = "\n```" if prefix.startswith("```") else ""
    data, errors = parse_and_validate(prefix + body + suffix, SCHEMAS["summarise"])
    if len(summary) <= 1200:
        assert errors == [] and data == {"summary": summary}
