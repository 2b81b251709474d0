"""The safety screen's second opinion (bot/safety/opinion.py): the live model's risk regression,
read in the gateway from the model archive, overrules a clear pattern it puts below VETO.

What a client notices: "landlord just slapped me with a 3 day notice" is a question at most
(no crisis reply, no case, "Are you safe right now?" after the answer), and so is "el doctor
dijo que el cigarro me va a matar"; while strangulation, a medical emergency now, a Spanish wish
to die and the emergency number stay clear whatever the model says, and without a model the
screen is as it always was. The file Rasa writes and the gateway reads is checked here too: it reads back to
the same scores, and what is not such a file is refused, never half read.
"""

from __future__ import annotations

import asyncio
import io
import logging
import tarfile
from pathlib import Path

import pytest
import skops.io as sio

from bot.safety import VETO, Screen
from bot.safety.opinion import Opinion
from contract.risk_model import dumps, from_archive, loads
from tests.risk_models import MEMBER, OVERRULED, RISK, archive, tiny_model

STRANGLED = "he choked me last night and said next time hell finish it"
PROBES = [OVERRULED, "i want to kill myself", "need a bed tonight", "mi pareja me pega", "😀", ""]


class Asked:
    """An opinion that answers ``score`` and records what it was asked."""

    def __init__(self, score: float | None) -> None:
        self.score, self.asked = score, []

    def __call__(self, text: str) -> float | None:
        self.asked.append(text)
        return self.score


def test_a_clear_signal_the_model_puts_below_the_veto_is_uncertain_and_says_why():
    alone = Screen("911")(OVERRULED)
    assert alone is not None
    assert alone.clear
    assert alone.groups == {"violence"}
    low = Screen("911", opinion=Asked(VETO / 2))(OVERRULED)
    assert low is not None
    assert (low.risk, low.tier) == ("danger", "uncertain")
    assert low.vetoed
    assert low.opinion == VETO / 2
    assert low.metadata() == {"risk": "danger", "tier": "uncertain", "language": "en"}
    high = Screen("911", opinion=Asked(0.9))(OVERRULED)
    assert high is not None
    assert high.clear
    assert not high.vetoed


def test_strangulation_a_medical_emergency_a_spanish_wish_to_die_and_the_number_are_never_put_to_the_model():
    asked = Asked(0.0)
    screen = Screen("911", opinion=asked)
    medical = "crashed my car, im ok but the other driver isnt moving"
    spanish = "ya no quiero vivir, me voy a matar"  # the model's Spanish self-harm is too weak
    strangled = "mi pareja me ahorco anoche"
    for text in (STRANGLED, medical, spanish, strangled, "911", "call 911 now"):
        found = screen(text)
        assert found is not None, text
        assert found.clear, text
    assert asked.asked == []


def test_spanish_violence_words_are_put_to_the_model_like_english_ones():
    text = "el doctor dijo que el cigarro me va a matar, hay programas pa dejar de fumar"
    assert Screen("911")(text).clear  # the patterns alone: a threat to kill
    low = Screen("911", opinion=Asked(VETO / 2))(text)
    assert (low.risk, low.tier, low.language) == ("danger", "uncertain", "es")
    assert low.vetoed
    high = Screen("911", opinion=Asked(0.9))("alguien esta afuera de mi puerta con un cuchillo")
    assert high.clear
    assert high.opinion == 0.9


def test_only_a_clear_signal_is_put_to_the_model():
    asked = Asked(0.0)
    screen = Screen("911", opinion=asked)
    assert screen("need a bed tonight in daly city") is None
    uncertain = screen("i cant do this anymore")
    assert uncertain is not None
    assert uncertain.tier == "uncertain"
    assert not uncertain.vetoed
    assert asked.asked == []


def test_without_a_model_clear_stays_clear():
    opinion = Opinion()
    assert opinion.model is None
    assert opinion(OVERRULED) is None
    found = Screen("911", opinion=opinion)(OVERRULED)
    assert found is not None
    assert found.clear
    assert found.opinion is None


def test_the_file_reads_back_to_the_same_scores_and_an_earlier_file_still_reads():
    model = tiny_model()
    again = loads(dumps(model))
    assert again.scores(PROBES) == model.scores(PROBES)
    # The earlier kind of file kept the fitted vectorizers themselves.
    earlier = {
        "features": model.features, "escalate": model.escalate, "any": model.any,
        "self_harm": model.self_harm, "needs": model.needs, "need_names": model.need_names,
    }  # fmt: skip
    assert loads(sio.dumps(earlier)).scores(PROBES) == model.scores(PROBES)


@pytest.mark.parametrize(
    "data",
    [b"", b"not a zip", sio.dumps({"escalate": 1}), sio.dumps(Path("/etc/passwd"))],
    ids=["empty", "not a zip", "no vectorizers", "an untrusted type"],
)
def test_what_is_not_a_risk_model_file_is_refused(data):
    with pytest.raises(ValueError, match="risk model"):
        loads(data)


def test_the_gateway_reads_the_archives_model_and_keeps_the_last_good_one(tmp_path, caplog):
    good = archive(tmp_path / "model-good.tar.gz")
    opinion = Opinion()
    assert opinion.read(good)
    assert opinion.model == "model-good.tar.gz"
    assert opinion(OVERRULED) == from_archive(good).escalate_of([OVERRULED])[0] < VETO
    assert opinion(RISK[0]) > 0.5
    without = archive(tmp_path / "model-without.tar.gz", member="components/other/x.skops")
    broken = tmp_path / "model-broken.tar.gz"
    broken.write_bytes(good.read_bytes()[: len(good.read_bytes()) // 2])
    for bad in (without, broken, tmp_path / "model-missing.tar.gz"):
        with caplog.at_level(logging.WARNING, logger="bot.safety.opinion"):
            assert not opinion.read(bad)
        assert opinion.model == "model-good.tar.gz", bad.name  # the good one goes on answering
        assert "goes on answering" in caplog.text


def test_a_model_that_fails_on_a_message_gives_no_opinion_and_the_screen_stands(caplog):
    class Failing:
        def escalate_of(self, texts: list[str]) -> list[float]:
            raise ValueError("a broken model")

    opinion = Opinion()
    opinion._model = Failing()  # type: ignore[assignment]
    with caplog.at_level(logging.ERROR, logger="bot.safety.opinion"):
        found = Screen("911", opinion=opinion)(OVERRULED)
    assert found is not None
    assert found.clear
    assert "the screen's tier stands" in caplog.text


async def test_it_keeps_to_the_live_model_as_promotions_change_it(tmp_path):
    first = archive(tmp_path / "model-1.tar.gz")
    second = archive(tmp_path / "model-2.tar.gz")
    live: list[Path | None] = [None, first]

    async def current() -> Path | None:
        return live[-1]

    opinion = Opinion()
    follower = asyncio.create_task(opinion.follow(current, every=0.01))
    try:
        for expected in (first, second):
            live.append(expected)
            for _ in range(500):
                if opinion.model == expected.name:
                    break
                await asyncio.sleep(0.01)
            assert opinion.model == expected.name
    finally:
        follower.cancel()
        with pytest.raises(asyncio.CancelledError):
            await follower


def test_an_archive_member_outside_the_components_folder_is_not_read(tmp_path):
    path = tmp_path / "model-odd.tar.gz"
    with tarfile.open(path, "w:gz") as tar:
        body = dumps(tiny_model())
        info = tarfile.TarInfo("../" + MEMBER)
        info.size = len(body)
        tar.addfile(info, io.BytesIO(body))
    with pytest.raises(ValueError, match="holds no risk model"):
        from_archive(path)
