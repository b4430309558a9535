"""`copydesk check` as a user runs it: inputs, formats, exit codes, and no tracebacks."""

from __future__ import annotations

import json

import pytest
from jsonschema import Draft202012Validator

from copydesk.cli import cli
from copydesk.report import grounding_errors, report_schema, schema_errors
from copydesk.testing import FakeReply


@pytest.mark.parametrize(
    ("content", "message"),
    [(None, "does not exist"), (b"", "is empty"), (b"\x00\x01\x02binary", "binary")],
)
def test_bad_input_exits_2_with_the_reason_and_no_traceback(runner, tmp_path, content, message):
    path = tmp_path / "article.txt"
    if content is not None:
        path.write_bytes(content)
    result = runner.invoke(cli, ["check", str(path)])
    assert result.exit_code == 2
    assert message in result.output
    assert "Traceback" not in result.output
    assert not isinstance(result.exception, Exception) or isinstance(result.exception, SystemExit)


def test_a_json_report_validates_against_the_published_schema(
    runner, served, sample_path, tmp_path
):
    out = tmp_path / "r.json"
    result = runner.invoke(
        cli,
        ["check", str(sample_path), "--checkers", "llm", "--format", "json", "--output", str(out)],
    )
    assert result.exit_code == 0, result.output
    report = json.loads(out.read_text())
    assert schema_errors(report) == [] and grounding_errors(report) == []
    printed = json.loads(runner.invoke(cli, ["schema", "report"]).stdout)
    assert printed == report_schema()
    Draft202012Validator.check_schema(printed)


def test_fail_on_exits_1_when_a_finding_is_severe_enough(runner, served, sample_path):
    # the fake model's finding is model-only (confidence 0.4): shown only with a lower bar
    args = ["check", str(sample_path), "--checkers", "llm", "--format", "markdown"]
    args += ["--min-confidence", "0.3"]
    assert runner.invoke(cli, [*args, "--fail-on", "high"]).exit_code == 0
    result = runner.invoke(cli, [*args, "--fail-on", "medium"])
    assert result.exit_code == 1
    assert "## Findings (1)" in result.stdout and "missing_detail" in result.stdout


def test_by_default_what_is_more_likely_wrong_than_right_is_hidden_but_kept_in_json(
    runner, served, sample_path, tmp_path
):
    args = ["check", str(sample_path), "--checkers", "llm"]
    shown = runner.invoke(cli, [*args, "--fail-on", "low"])
    assert shown.exit_code == 0, "a model-only finding (confidence 0.4) does not fail the check"
    assert "1 below confidence 0.5 hidden" in shown.stdout
    report = tmp_path / "r.json"
    assert runner.invoke(cli, [*args, "--format", "json", "-o", str(report)]).exit_code == 0
    (finding,) = json.loads(report.read_text(encoding="utf-8"))["findings"]
    assert finding["category"] == "missing_detail" and finding["confidence"] == 0.4


def test_min_confidence_hides_findings_from_the_display_and_from_fail_on(
    runner, served, sample_path
):
    result = runner.invoke(
        cli,
        [
            "check",
            str(sample_path),
            "--checkers",
            "llm",
            "--min-confidence",
            "0.9",
            "--fail-on",
            "low",
        ],
    )
    assert result.exit_code == 0
    assert "1 below confidence 0.9 hidden" in result.stdout


def test_a_failing_endpoint_exits_3_and_still_writes_what_succeeded(
    runner, served, sample_path, tmp_path
):
    served.answer("check", FakeReply(status=500, content={"error": {"message": "overloaded"}}))
    out = tmp_path / "r.json"
    result = runner.invoke(
        cli,
        ["check", str(sample_path), "--checkers", "llm", "--format", "json", "-o", str(out)],
        env={"COPYDESK_CONFIG": str(tmp_path / "none.toml")},
    )
    assert result.exit_code == 3
    assert "answered HTTP 500" in result.output
    report = json.loads(out.read_text())
    assert report["summary"]["text"] and report["claims"], "the stages that succeeded are kept"


def test_an_unknown_format_or_checker_is_a_usage_error(runner, sample_path):
    result = runner.invoke(cli, ["check", str(sample_path), "--format", "pdf"])
    assert result.exit_code == 2 and "no format named 'pdf'" in result.output
    result = runner.invoke(cli, ["check", str(sample_path), "--checkers", "nope"])
    assert result.exit_code == 2 and "no checker named 'nope'" in result.output


def test_several_articles_as_json_lines_on_stdout(runner, served, sample_path, tmp_path):
    second = tmp_path / "second.txt"
    second.write_text(sample_path.read_text())
    result = runner.invoke(
        cli, ["check", str(sample_path), str(second), "--checkers", "llm", "--format", "json"]
    )
    assert result.exit_code == 0, result.output
    lines = result.stdout.strip().splitlines()
    assert len(lines) == 2 and all(json.loads(line)["summary"] for line in lines)


def test_standard_input_is_read_with_a_dash(runner, served, sample_text):
    result = runner.invoke(
        cli, ["check", "-", "--checkers", "llm", "--format", "json"], input=sample_text
    )
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["article"]["source"] == "-"


def test_prompts_list_and_show_say_where_each_prompt_comes_from(runner, tmp_path):
    (tmp_path / "summarise.j2").write_text('{% extends "default:summarise.j2" %}')
    listed = runner.invoke(cli, ["prompts", "list", "--prompts-dir", str(tmp_path)]).stdout
    assert f"summarise\t{tmp_path / 'summarise.j2'}" in listed
    shown = runner.invoke(cli, ["prompts", "show", "claims"]).stdout
    assert "{% block user %}" in shown


def test_a_folder_checks_every_article_in_it_into_an_output_folder(
    runner, served, sample_path, tmp_path
):
    articles = tmp_path / "articles"
    articles.mkdir()
    for name in ("one.txt", "two.txt"):
        (articles / name).write_text(sample_path.read_text())
    out = tmp_path / "reports"
    result = runner.invoke(
        cli, ["check", str(articles), "--checkers", "llm", "--format", "json", "-o", str(out)]
    )
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in out.iterdir()) == ["one.json", "two.json"]


def test_a_text_too_short_to_be_an_article_is_skipped_and_said_so(runner, sample_path, tmp_path):
    articles = tmp_path / "articles"
    articles.mkdir()
    (articles / "story.txt").write_text(sample_path.read_text())
    (articles / "readme.md").write_text("Notes\n")
    out = tmp_path / "reports"
    result = runner.invoke(
        cli, ["check", str(articles), "--no-model", "--format", "json", "-o", str(out)]
    )
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in out.iterdir()) == ["story.json"]
    assert (
        f"copydesk: {articles / 'readme.md'} has 1 word, too few for an article (copydesk "
        "checks articles of 20 words or more); skipped"
    ) in result.stderr
    alone = runner.invoke(cli, ["check", str(articles / "readme.md"), "--no-model"])
    assert alone.exit_code == 2
    assert "no input is long enough to be an article" in alone.stderr


def test_an_output_named_like_a_file_for_several_articles_is_refused(runner, sample_path, tmp_path):
    result = runner.invoke(
        cli,
        ["check", str(sample_path), str(sample_path), "--no-model", "-o", str(tmp_path / "m.json")],
    )
    assert result.exit_code == 2
    assert "--output" in result.stderr and "looks like a file" in result.stderr
    assert not (tmp_path / "m.json").exists()


def test_plugins_piped_shows_every_name_whole(runner):
    result = runner.invoke(cli, ["plugins"])
    assert result.exit_code == 0, result.output
    assert "copydesk.unattributed_claims" in result.output
    assert "…" not in result.output
