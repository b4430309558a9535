"""The desk's one way to the model: a question asked through ``ModelService``, what comes
back from the cache, what is re-asked, embeddings, and the endpoint opened once.

The endpoint is ``copydesk.testing.FakeModel`` (in-process, through the real openai client);
the cache is a :class:`~copydesk.cache.DiskCache` in the test's folder.
"""

from __future__ import annotations

import asyncio
import dataclasses
import math
import warnings

import pytest

import copydesk
from copydesk.cache import DiskCache
from copydesk.components import Capabilities, Endpoint
from copydesk.errors import ConfigError, ModelError, UnparseableOutput
from copydesk.host import Host
from copydesk.model import CallLog, ModelService, Question
from copydesk.settings import Settings
from copydesk.testing import FakeModel, FakeProvider

SCHEMA = {
    "type": "object",
    "properties": {"summary": {"type": "string"}},
    "required": ["summary"],
    "additionalProperties": False,
}


def question(check=None) -> Question:  # type: ignore[no-untyped-def]
    return Question(
        stage="summariser",
        prompt="summarise",
        messages=[{"role": "user", "content": "Summarise: the council met."}],
        schema=SCHEMA,
        check=check,
    )


def ask(service: ModelService, q: Question, log: CallLog | None = None):  # type: ignore[no-untyped-def]
    async def go():  # type: ignore[no-untyped-def]
        session = service.session(log or CallLog())
        try:
            return await session.ask_json(q)
        finally:
            await session.close()

    return asyncio.run(go())


def embed(service: ModelService, texts: list[str], log: CallLog | None = None):  # type: ignore[no-untyped-def]
    async def go():  # type: ignore[no-untyped-def]
        session = service.session(log or CallLog())
        try:
            return await session.embed(texts, stage="heads")
        finally:
            await session.close()

    return asyncio.run(go())


def test_a_plugins_own_check_re_asks_with_the_problem_fed_back() -> None:
    fake = FakeModel().answer(
        "summarise", {"summary": "The council met and"}, {"summary": "The council met."}
    )
    service = ModelService(FakeProvider(fake), Settings(reasks=2))

    def stops_mid_sentence(answer: dict) -> list[str]:
        done = answer["summary"].rstrip().endswith(".")
        return [] if done else ["the summary stops mid-sentence"]

    data, call = ask(service, question(stops_mid_sentence))
    assert data == {"summary": "The council met."}
    assert (call.status, call.attempts) == ("ok", 2)
    fed_back = fake.requests[1]["messages"][-1]["content"]
    assert fed_back == (
        "Your answer was not valid:\n- the summary stops mid-sentence\n"
        "Answer again with only the JSON object the schema asks for."
    )


def test_an_answer_the_check_never_accepts_is_unparseable_not_passed_on() -> None:
    fake = FakeModel().answer("summarise", {"summary": "and then"})
    service = ModelService(FakeProvider(fake), Settings(reasks=1))
    with pytest.raises(UnparseableOutput) as caught:
        ask(service, question(lambda answer: ["it repeats itself"]))
    assert caught.value.errors == ["it repeats itself"]
    assert len(fake.requests) == 2


def test_embeddings_come_back_normalised_in_order_and_are_cached(tmp_path) -> None:  # type: ignore[no-untyped-def]
    fake = FakeModel().embed_with(lambda text: [3.0, 4.0] if "one" in text else [0.0, 2.0])
    cache = DiskCache(tmp_path / "cache")
    service = ModelService(FakeProvider(fake), Settings(), cache=cache)
    log = CallLog()
    first = embed(service, ["sentence one", "sentence two"], log)
    assert first.vectors == [[0.6, 0.8], [0.0, 1.0]]
    assert first.model == FakeModel.model
    assert fake.requests[0] == {
        "model": FakeModel.model,
        "input": ["sentence one", "sentence two"],
        "encoding_format": "float",
    }
    again = embed(
        ModelService(FakeProvider(fake), Settings(), cache=cache), ["sentence one", "sentence two"]
    )
    assert again.vectors == first.vectors
    assert len(fake.requests) == 1, "the second time comes from the cache"
    (call,) = log.calls
    assert (call.prompt, call.stage, call.status, call.prompt_tokens) == (
        "embeddings",
        "heads",
        "ok",
        6,
    )
    assert all(math.isclose(sum(x * x for x in v), 1.0) for v in first.vectors)


def test_an_endpoint_that_cannot_embed_says_so() -> None:
    fake = FakeModel()

    def refuse(body):  # type: ignore[no-untyped-def]
        return 501, {}, {"error": {"message": "This server does not support embeddings."}}, 0.0

    fake.respond = refuse  # type: ignore[method-assign]
    service = ModelService(FakeProvider(fake), Settings(max_retries=0))
    with pytest.raises(ModelError) as caught:
        embed(service, ["a sentence"])
    assert "cannot compute embeddings for model 'fake-model' (HTTP 501)" in caught.value.message
    assert "/v1/embeddings" in caught.value.hint


class CountingProvider(FakeProvider):
    """Opens slowly, like the embedded model: counts its openings, or fails them."""

    def __init__(self, model: FakeModel, *, fail: bool = False) -> None:
        super().__init__(model)
        self.opened = 0
        self.fail = fail

    def capabilities(self, settings: Settings) -> Capabilities:
        return Capabilities(opens_slowly=True)

    def open(self, settings: Settings, *, offline: bool = False) -> Endpoint:
        # Known by its model file, not its address, offline and opened alike.
        info = {"server": "fake", "model_sha256": "ab" * 32}
        if offline:
            return Endpoint(base_url="http://127.0.0.1:9/v1", model=FakeModel.model, info=info)
        self.opened += 1
        if self.fail:
            raise ModelError("the server did not start", "see its log")
        return dataclasses.replace(super().open(settings), info=info)


def test_the_endpoint_opens_once_for_every_article_and_only_on_a_miss(tmp_path) -> None:  # type: ignore[no-untyped-def]
    fake = FakeModel().answer("summarise", {"summary": "The council met."})
    cache = DiskCache(tmp_path / "cache")
    provider = CountingProvider(fake)
    service = ModelService(provider, Settings(), cache=cache)
    for _ in range(3):
        ask(service, question())
    assert provider.opened == 1
    # A new desk whose answers are all cached starts nothing.
    again = CountingProvider(fake)
    _, call = ask(ModelService(again, Settings(), cache=cache), question())
    assert (again.opened, call.status) == (0, "cached")


def test_an_endpoint_that_cannot_open_fails_every_article_at_once_without_retrying() -> None:
    provider = CountingProvider(FakeModel(), fail=True)
    service = ModelService(provider, Settings())
    for _ in range(3):
        with pytest.raises(ModelError, match="the server did not start"):
            ask(service, question())
    assert provider.opened == 1


def test_a_budget_refuses_the_request_past_it() -> None:
    fake = FakeModel().answer("summarise", "{broken")
    service = ModelService(FakeProvider(fake), Settings(reasks=5, max_calls=2))
    with pytest.raises(ModelError, match="budget of 2 model requests"):
        ask(service, question())
    assert len(fake.requests) == 2


# providers, capabilities and settings -------------------------------------------------------


def test_the_provider_is_the_named_one_else_the_one_claiming_the_default() -> None:
    from copydesk.host import load_host
    from copydesk.model.providers import choose_provider

    providers = load_host().components["provider"]
    assert choose_provider(Settings(), providers).name == "local"
    assert (
        choose_provider(Settings(base_url="http://localhost:11434/v1"), providers).name == "openai"
    )
    assert choose_provider(Settings(api_key="k"), providers).name == "openai"
    assert choose_provider(Settings(provider="local", api_key="k"), providers).name == "local"
    with pytest.raises(ConfigError) as caught:
        choose_provider(Settings(provider="olama"), providers)
    assert caught.value.hint == "installed providers: local, openai"


def test_the_embedded_provider_says_what_it_suits() -> None:
    from copydesk.plugins.local.plugin import MODEL_CHECKER_OFF, LocalModel

    suits = LocalModel().capabilities(Settings(plugins={"local": {"ctx": 4096}}))
    assert suits == Capabilities(
        max_in_flight=2,
        max_processes=1,
        context_tokens=4096,
        timeout=900.0,
        max_retries=0,
        opens_slowly=True,
        default_for="no_endpoint",
        checkers_off_by_default={"llm": MODEL_CHECKER_OFF},
    )
    settings = Settings().for_provider(suits)
    assert (settings.request_timeout, settings.retries) == (900.0, 0)
    assert settings.part_chars(suits) == (4096 - 3000) * 3
    mine = Settings(timeout=30.0, max_retries=5).for_provider(suits)
    assert (mine.request_timeout, mine.retries) == (30.0, 5), "the user's values win"


def test_the_embedded_model_runs_its_model_checker_only_when_asked() -> None:
    from copydesk.plugins.local.plugin import LocalModel

    # On the embedded model the checker that asks it to write findings is left out...
    off = LocalModel().capabilities(Settings()).checkers_off_by_default
    assert "llm" in off and "no recall" in off["llm"]
    # ...unless its config turns it on
    on = Settings(plugins={"local": {"model_checker": True}})
    assert LocalModel().capabilities(on).checkers_off_by_default == {}


def test_a_checker_the_provider_leaves_out_is_reported_skipped_with_its_reason(sample_path) -> None:  # type: ignore[no-untyped-def]
    from copydesk.host import load_host
    from copydesk.inputs import read_article
    from copydesk.runner import Copydesk

    class Leaves(FakeProvider):
        def capabilities(self, settings: Settings) -> Capabilities:
            return Capabilities(checkers_off_by_default={"vagueness": "not on this model"})

    host = load_host()
    host.components["provider"]["leaves"] = Leaves(FakeModel())
    article = read_article(str(sample_path))

    def stages(**options: object) -> dict[str, tuple[str, str]]:
        desk = Copydesk(
            Settings(provider="leaves"), host, summariser=None, extractor=None, **options
        )  # type: ignore[arg-type]
        return {
            s.plugin: (s.status, s.reason) for s in asyncio.run(desk.check_async(article)).stages
        }

    assert stages(skip_checkers=["llm", "judgement"])["vagueness"] == (
        "skipped",
        "not on this model",
    )
    assert stages(checkers=["vagueness"]) == {"vagueness": ("ok", "")}, "named, it runs"


def test_the_embedded_model_is_chosen_by_flag_then_environment_then_its_config(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from copydesk.plugins.local.plugin import selected_model

    own = {"local": {"model": "qwen2.5-coder-0.5b-instruct"}}
    monkeypatch.delenv("COPYDESK_LOCAL_MODEL", raising=False)
    assert selected_model(Settings()).name == "qwen2.5-coder-1.5b-instruct"
    assert selected_model(Settings(plugins=own)).name == "qwen2.5-coder-0.5b-instruct"
    monkeypatch.setenv("COPYDESK_LOCAL_MODEL", "smollm2-135m-instruct")
    assert selected_model(Settings(plugins=own)).name == "smollm2-135m-instruct"
    assert selected_model(Settings(model="qwen2.5-coder-0.5b-instruct")).name == (
        "qwen2.5-coder-0.5b-instruct"
    )


def test_a_plugins_table_in_the_config_reaches_it_and_nothing_else_is_unknown(tmp_path) -> None:  # type: ignore[no-untyped-def]
    from copydesk.settings import read_config

    path = tmp_path / "config.toml"
    path.write_text("reasks = 1\n[plugins.exclamations]\nthreshold = 3\n", encoding="utf-8")
    settings = Settings.resolve(config=read_config(path), env={})
    assert settings.plugin_config("exclamations") == {"threshold": 3}
    assert settings.plugin_config("absent") == {}
    path.write_text("[plugins]\nexclamations = 3\n", encoding="utf-8")
    with pytest.raises(
        ConfigError, match=r"plugins\.exclamations in config file .* is not a table"
    ):
        read_config(path)
    path.write_text('local_model = "x"\n', encoding="utf-8")
    with pytest.raises(ConfigError, match="unknown key 'local_model'"):
        read_config(path)


def test_settings_cannot_be_changed_behind_a_desks_back() -> None:
    settings = Settings()
    with pytest.raises(dataclasses.FrozenInstanceError):
        settings.offline = True  # type: ignore[misc]


def test_a_checker_reads_its_own_table_as_ctx_config() -> None:
    from copydesk.types import Finding

    @copydesk.checker(categories=("exclamation",))
    def exclamations(ctx):  # type: ignore[no-untyped-def]
        limit = int(ctx.config.get("at_least", 1))
        found = ctx.article.text.count("!")
        return [Finding("exclamation", "Wow!", f"{found} marks")] if found >= limit else []

    class Plugin:
        @copydesk.hookimpl
        def register_checkers(self, register):  # type: ignore[no-untyped-def]
            register(exclamations)

    host = Host()
    host.load_builtins()
    host.register_plugin(Plugin(), "exclaim", version="0", source="test")
    host.collect()
    from copydesk.inputs import article_from_bytes
    from copydesk.runner import Copydesk

    text = "Wow! The council met! Nobody came."
    quiet = Copydesk(
        Settings(plugins={"exclamations": {"at_least": 3}}),
        host,
        checkers=["exclamations"],
        use_model=False,
    )
    loud = Copydesk(Settings(), host, checkers=["exclamations"], use_model=False)
    assert quiet.check(article_from_bytes(text.encode(), "t")).findings == []
    assert [f.explanation for f in loud.check(article_from_bytes(text.encode(), "t")).findings] == [
        "2 marks"
    ]


def test_a_provider_from_before_capabilities_still_loads_with_a_warning() -> None:
    class OldProvider:
        name = "old"
        description = "a provider of plugin API 2"
        opens_slowly = True

        def open(self, settings, *, offline=False):  # type: ignore[no-untyped-def]
            return Endpoint(base_url="http://localhost:1/v1", model="m")

        def close(self) -> None:
            pass

    class Plugin:
        @copydesk.hookimpl
        def register_providers(self, register):  # type: ignore[no-untyped-def]
            register(OldProvider())

    host = Host()
    host.register_plugin(Plugin(), "old-plugin", version="0", source="test")
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        host.collect()
    assert any("has no capabilities(settings) method" in str(w.message) for w in caught)
    provider = host.components["provider"]["old"]
    assert provider.capabilities(Settings()) == Capabilities(opens_slowly=True)
