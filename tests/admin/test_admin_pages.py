"""The /admin pages through the real gateway: only admins, forms with the session's token, the
inbox labelled and discarded, training started, followed and cancelled, a candidate promoted
only when its gate passed, rollback; each refusal with its reason and nothing changed.

Rasa is a fake replica answering PUT /model and GET /status (tests/admin/test_models.py); the
trainer's commands are stand-ins (tests/admin/test_training.py), so these tests take seconds.
The real training, gate and Rasa are in test_admin_loop_e2e.py."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import time

import pytest

from bot.admin.models import read_choice
from bot.db import review
from bot.state import ADMIN
from contract import example_key
from tests.admin.conftest import fake_trainer, live_model, model_file

MISREAD = "i need somewhere to crash, call me 650 555 0199"


async def put_in_inbox(gateway, text: str, kind: str = "unsure", conversation: str = "c1") -> int:
    from bot.admin import masking
    from bot.admin.review import PRIORITY

    masked = masking.mask(text)
    sighting = review.Sighting(
        text=masked, normalised=example_key(masked), kind=kind, priority=PRIORITY[kind],
        detail="fell to nlu_fallback (best: find_food 0.31)",
        conversation_key=review.conversation_key(conversation), seen_at=time.time(),
        intent="nlu_fallback", confidence=0.31, ranking=[["find_food", 0.31]],
    )  # fmt: skip
    return await gateway.db.run(review.add, sighting)


async def wait_for(condition, timeout: float = 20.0) -> None:
    deadline = asyncio.get_running_loop().time() + timeout
    while not condition():
        assert asyncio.get_running_loop().time() < deadline, "timed out"
        await asyncio.sleep(0.05)


async def test_a_member_of_staff_who_is_not_an_admin_gets_403_and_changes_nothing(
    admin_gateway, browsers, project, replica
):
    gateway = await admin_gateway()
    item = await put_in_inbox(gateway, MISREAD)
    candidate = model_file(project / "models" / "candidates" / "candidate-x.tar.gz")
    candidate.with_suffix("").with_suffix(".gate.json").write_text(json.dumps({"verdict": "pass"}))
    sam = await browsers(gateway, "sam")
    _, _staff_page = await sam.get("/staff")  # sam's own, valid CSRF token
    assert sam.csrf
    for path in ("/admin", "/admin/models", "/admin/training", "/admin/audit"):
        status, text = await sam.get(path)
        assert status == 403
        assert "for admins" in text
        assert "crash" not in text
    status, _ = await sam.post(f"/admin/inbox/{item}/label", intent="find_shelter")
    assert status == 403
    status, _ = await sam.post("/admin/models/promote", model=candidate.name)
    assert status == 403
    assert await gateway.db.run(review.get, item) is not None
    assert not (project / "data" / "nlu" / "reviewed.yml").exists()
    assert replica.loaded == []
    nobody = await browsers(gateway)
    status, _ = await nobody.get("/admin")
    assert status == 303  # to the sign-in form
    status, _ = await nobody.post(f"/admin/inbox/{item}/discard")
    assert status == 403


async def test_an_admin_labels_a_masked_message_into_the_training_data(
    admin_gateway, browsers, project
):
    gateway = await admin_gateway()
    item = await put_in_inbox(gateway, MISREAD)
    alex = await browsers(gateway, "alex")
    status, page = await alex.get("/admin")
    assert status == 200
    assert "call me [phone]" in page
    assert "555" not in page
    assert "fell to nlu_fallback" in page
    assert gateway.app[ADMIN].intents[0] in page
    assert "risk_self_harm" in page
    status, page = await alex.post(
        f"/admin/inbox/{item}/label", intent="find_shelter", location="", population=""
    )
    assert status == 200
    assert "Done: label" in page
    assert "Nothing to review" in page
    reviewed = (project / "data" / "nlu" / "reviewed.yml").read_text()
    assert "- i need somewhere to crash, call me [phone]" in reviewed
    assert "650" not in reviewed
    _, audit = await alex.get("/admin/audit")
    assert "alex" in audit
    assert "find_shelter" in audit
    assert "data/nlu/reviewed.yml" in audit


async def test_entities_are_marked_in_the_label(admin_gateway, browsers, project):
    gateway = await admin_gateway()
    item = await put_in_inbox(gateway, "bed tonight for me and my kids in redwood city")
    alex = await browsers(gateway, "alex")
    status, _ = await alex.post(
        f"/admin/inbox/{item}/label", intent="find_shelter", location="redwood city",
        population="me and my kids", population_value="family",
    )  # fmt: skip
    assert status == 200
    reviewed = (project / "data" / "nlu" / "reviewed.yml").read_text()
    assert (
        '- bed tonight for [me and my kids]{"entity": "population", "value": "family"} in '
        "[redwood city](location)" in reviewed
    )


@pytest.mark.parametrize(
    ("form", "said"),
    [
        ({"intent": "find_unicorns"}, "unknown intent &#39;find_unicorns&#39;"),
        ({"intent": ""}, "pick an intent"),
        ({"intent": "find_shelter", "location": "paris"}, "is not in the message"),
        ({"intent": "find_shelter", "population_value": "family"}, "which words"),
    ],
)
async def test_a_label_that_cannot_be_written_says_why(
    admin_gateway, browsers, project, form, said
):
    gateway = await admin_gateway()
    item = await put_in_inbox(gateway, MISREAD)
    alex = await browsers(gateway, "alex")
    status, page = await alex.post(f"/admin/inbox/{item}/label", **form)
    assert status == 409
    assert said in page
    assert await gateway.db.run(review.get, item) is not None  # still there to label
    assert not (project / "data" / "nlu" / "reviewed.yml").exists()


async def test_words_labelled_already_with_another_intent_are_refused_naming_file_and_line(
    admin_gateway, browsers, project
):
    gateway = await admin_gateway()
    item = await put_in_inbox(gateway, "where can i sleep tonight")
    alex = await browsers(gateway, "alex")
    status, page = await alex.post(f"/admin/inbox/{item}/label", intent="find_food")
    assert status == 409
    assert "already labelled find_shelter at data/nlu/shelter.yml:" in page


async def test_two_admins_labelling_the_same_message_the_second_is_told_who_did(
    admin_gateway, browsers, project
):
    gateway = await admin_gateway()
    item = await put_in_inbox(gateway, MISREAD)
    alex, kim = await browsers(gateway, "alex"), await browsers(gateway, "kim")
    (a_status, _), (k_status, k_page) = await asyncio.gather(
        alex.post(f"/admin/inbox/{item}/label", intent="find_shelter"),
        kim.post(f"/admin/inbox/{item}/label", intent="find_food"),
    )
    assert (a_status, k_status) == (200, 409)
    assert f"message #{item} was labelled by alex already" in k_page
    reviewed = (project / "data" / "nlu" / "reviewed.yml").read_text()
    assert "find_shelter" in reviewed
    assert "find_food" not in reviewed


async def test_discard_removes_the_message_for_good_and_the_page_escapes_text(
    admin_gateway, browsers
):
    gateway = await admin_gateway()
    item = await put_in_inbox(gateway, "<script>alert(1)</script> help")
    alex = await browsers(gateway, "alex")
    _, page = await alex.get("/admin")
    assert "<script>alert" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt; help" in page
    status, page = await alex.post(f"/admin/inbox/{item}/discard")
    assert status == 200
    assert "Done: discard" in page
    assert await gateway.db.run(review.get, item) is None
    status, page = await alex.post(f"/admin/inbox/{item}/discard")
    assert status == 409
    assert "was discarded by alex already" in page


async def test_a_form_without_the_session_token_is_refused(admin_gateway, browsers):
    gateway = await admin_gateway()
    item = await put_in_inbox(gateway, MISREAD)
    alex = await browsers(gateway, "alex")
    alex.csrf = "forged"
    status, _ = await alex.post(f"/admin/inbox/{item}/discard")
    assert status == 403
    assert await gateway.db.run(review.get, item) is not None


async def test_the_pages_have_the_consoles_security_headers(admin_gateway, browsers):
    gateway = await admin_gateway()
    alex = await browsers(gateway, "alex")
    async with alex.session.get(f"{gateway.url}/admin") as response:
        assert "script-src 'self'" in response.headers["Content-Security-Policy"]
        assert response.headers["Cache-Control"] == "no-store"


async def test_training_shows_progress_refuses_promotion_meanwhile_and_can_be_cancelled(
    admin_gateway, browsers, project, replica
):
    gateway = await admin_gateway()
    live_model(project, replica)
    passed = model_file(project / "models" / "candidates" / "candidate-old.tar.gz")
    trainer = fake_trainer(gateway, pause=0.5)
    alex = await browsers(gateway, "alex")
    status, page = await alex.post("/admin/training/start")
    assert status == 200
    assert "Done: train" in page
    await wait_for(lambda: (trainer.progress.epoch or 0) >= 2)
    _, page = await alex.get("/admin/training")
    assert "DIETClassifier: epoch" in page
    assert 'http-equiv="refresh"' in page
    status, page = await alex.post("/admin/training/start")
    assert status == 409
    assert "a training is running already" in page
    status, page = await alex.post("/admin/models/promote", model=passed.name)
    assert status == 409
    assert "a training or gate is running" in page
    assert replica.loaded == ["model-start.tar.gz"]
    status, page = await alex.post("/admin/training/cancel")
    assert status == 200
    assert trainer.progress.state == "cancelled"
    assert not list((project / "models" / "candidates").glob("candidate-2*"))


async def test_a_failed_and_a_killed_training_say_so_and_the_live_model_stays(
    admin_gateway, browsers, project, replica
):
    gateway = await admin_gateway()
    live_model(project, replica)
    alex = await browsers(gateway, "alex")
    trainer = fake_trainer(gateway, code=3)
    await alex.post("/admin/training/start")
    await trainer.wait()
    _, page = await alex.get("/admin/training")
    assert "rasa train exited with code 3" in page
    trainer = fake_trainer(gateway, pause=30.0)  # an epoch takes half a minute
    await alex.post("/admin/training/start")
    # The first epoch's bar is read as it is drawn, not when the next one is.
    await wait_for(lambda: trainer._process is not None and trainer.progress.epoch == 1)
    os.killpg(trainer._process.pid, signal.SIGKILL)  # killed halfway, as by the OOM killer
    await trainer.wait()
    _, page = await alex.get("/admin/training")
    assert "stopped by signal 9" in page
    assert "from scratch" not in page  # a killed fine-tuning is not retried as a full training
    assert replica.loaded == ["model-start.tar.gz"]
    _, audit = await alex.get("/admin/audit")
    assert "training failed" in audit


async def test_train_gate_promote_and_roll_back(admin_gateway, browsers, project, replica):
    gateway = await admin_gateway()
    start = live_model(project, replica)
    trainer = fake_trainer(gateway)
    alex = await browsers(gateway, "alex")
    await alex.post("/admin/training/start")
    progress = await trainer.wait()
    assert (progress.state, progress.verdict) == ("done", "pass")
    _, page = await alex.get("/admin/training")
    assert 'id="verdict" class="pass"' in page
    name = os.path.basename(progress.model or "")
    status, page = await alex.post("/admin/models/promote", model=name)
    assert status == 200, page[page.find("error") :][:400]
    assert "Done: promote" in page
    assert replica.loaded[-1] == progress.model
    assert read_choice(project).live == progress.model
    status, page = await alex.post("/admin/models/rollback")
    assert status == 200
    assert "Done: rollback" in page
    assert replica.loaded[-1] == str(start)
    _, audit = await alex.get("/admin/audit")
    for said in ("promote", "rollback", "training done"):
        assert said in audit


async def test_a_candidate_that_failed_the_gate_is_refused(admin_gateway, browsers, project,
                                                             replica):  # fmt: skip
    gateway = await admin_gateway()
    live_model(project, replica)
    trainer = fake_trainer(gateway, verdict="fail")
    alex = await browsers(gateway, "alex")
    await alex.post("/admin/training/start")
    progress = await trainer.wait()
    status, page = await alex.post("/admin/models/promote", model=os.path.basename(progress.model))
    assert status == 409
    assert "failed the gate and cannot be promoted: reviewed: misses 1 risk example" in page
    assert replica.loaded == ["model-start.tar.gz"]


@pytest.mark.parametrize("content", [None, b"not a model"])
async def test_a_missing_or_corrupt_model_is_refused(admin_gateway, browsers, project, replica,
                                                       content):  # fmt: skip
    gateway = await admin_gateway()
    live_model(project, replica)
    path = project / "models" / "candidates" / "candidate-bad.tar.gz"
    path.parent.mkdir(parents=True, exist_ok=True)
    if content is not None:
        path.write_bytes(content)
    report = {"verdict": "pass", "live": "model-start.tar.gz"}
    path.with_suffix("").with_suffix(".gate.json").write_text(json.dumps(report))
    alex = await browsers(gateway, "alex")
    status, page = await alex.post("/admin/models/promote", model=path.name)
    assert status == 409
    assert "there is no model" in page or "not a readable model archive" in page
    assert replica.loaded == ["model-start.tar.gz"]


async def test_rasa_down_during_a_promotion_is_said_and_nothing_changes(
    admin_gateway, browsers, project, replica
):
    gateway = await admin_gateway()
    live_model(project, replica)
    trainer = fake_trainer(gateway)
    alex = await browsers(gateway, "alex")
    await alex.post("/admin/training/start")
    progress = await trainer.wait()
    await replica.runner.cleanup()  # Rasa goes down
    status, page = await alex.post("/admin/models/promote", model=os.path.basename(progress.model))
    assert status == 409
    assert "did not load" in page
    assert "cannot reach it" in page
    assert read_choice(project).live is None


async def test_training_needs_the_live_models_file_to_gate_against(
    admin_gateway, browsers, replica
):
    gateway = await admin_gateway()
    fake_trainer(gateway)
    alex = await browsers(gateway, "alex")
    status, page = await alex.post("/admin/training/start")  # Rasa runs no model it names
    assert status == 409
    assert "cannot tell which model is live" in page
    replica.loaded.append("model-elsewhere.tar.gz")
    status, page = await alex.post("/admin/training/start")
    assert status == 409
    assert "Rasa runs model-elsewhere.tar.gz, which is not in" in page
    assert gateway.app[ADMIN].trainer.progress.state == "idle"
