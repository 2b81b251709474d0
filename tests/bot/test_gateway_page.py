"""The web chat page in headless Chromium (Debian's, by Playwright): type, reply, Quick Exit."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.async_api import Browser, Page

pytestmark = pytest.mark.browser

EXIT_URL = "https://weather.example.org/today"


async def open_chat(browser: Browser, url: str, **context: Any) -> Page:
    page = await (await browser.new_context(**context)).new_page()
    # The Quick Exit address is on the internet; here it is answered locally.
    await page.route(
        f"{EXIT_URL}**",
        lambda route: route.fulfill(body="<title>Weather</title>Sunny", content_type="text/html"),
    )
    await page.goto(url)
    return page


@pytest.fixture
async def gateway(start_gateway, settings_for):
    return await start_gateway(settings_for(quick_exit_url=EXIT_URL))


async def test_type_and_see_the_reply(browser, gateway, fake_rasa):
    page = await open_chat(browser, gateway.url)
    await page.fill("#text", "where can i sleep tonight")
    await page.press("#text", "Enter")
    await page.wait_for_selector("li.client >> text=where can i sleep tonight")
    await page.wait_for_selector("li.bot >> text=You said: where can i sleep tonight")
    assert await page.input_value("#text") == ""
    assert fake_rasa.received[0].message == "where can i sleep tonight"


async def test_buttons_and_sharing_a_location(browser, gateway, fake_rasa):
    fake_rasa.script["hello"] = [
        {
            "text": "Hi, what do you need?",
            "buttons": [{"title": "A place to sleep", "payload": "/find_shelter"}],
        }
    ]
    page = await open_chat(
        browser,
        gateway.url,
        geolocation={"latitude": 37.48522, "longitude": -122.23635},
        permissions=["geolocation"],
    )
    await page.fill("#text", "hello")
    await page.click("#send")
    await page.click("li.bot button:has-text('A place to sleep')")
    await page.wait_for_selector("li.bot >> text=Where are you now?")
    await page.click("li.bot button:has-text('Use my location')")
    await page.wait_for_selector("li.bot >> text=Places to sleep near geo:37.48522,-122.23635")
    assert [r.message for r in fake_rasa.received][1:] == [
        "/find_shelter",
        '/inform_location{"location":"geo:37.48522,-122.23635"}',
    ]


async def test_a_risk_message_shows_the_crisis_lines_first(browser, gateway):
    page = await open_chat(browser, gateway.url)
    await page.fill("#text", "i want to kill myself")
    await page.click("#send")
    crisis = page.locator("li.bot.crisis")
    await crisis.wait_for()
    text = await crisis.inner_text()
    assert "call 911" in text
    assert "I'm getting a person to talk with you too" in text
    # Every number in it is a tap to call, on a phone.
    calls = await crisis.locator("a.phone").evaluate_all("links => links.map(a => a.href)")
    assert "tel:911" in calls
    assert "tel:988" in calls


async def test_only_numbers_that_can_be_called_become_a_tap_to_call(browser, gateway, fake_rasa):
    fake_rasa.script["numbers"] = [
        {"text": "Call 650-555-0100 or (650)555-0101, text START to 88788 or 898211, not"
                 " +44 207 946 0958 nor 11650-555-0199; call 988 any time."}
    ]  # fmt: skip
    page = await open_chat(browser, gateway.url)
    await page.fill("#text", "numbers")
    await page.press("#text", "Enter")
    reply = page.locator("li.bot >> text=any time")
    await reply.wait_for()
    links = await reply.locator("a.phone").evaluate_all("links => links.map(a => a.href)")
    assert links == ["tel:+16505550100", "tel:+16505550101", "tel:988"]


async def test_the_first_replys_language_button_switches_the_page_too(browser, gateway):
    page = await open_chat(browser, gateway.url, locale="en-US")
    await page.fill("#text", "hello")
    await page.press("#text", "Enter")
    await page.click("li.bot .choices button >> text=Español")
    assert await page.text_content("h1") == "Encuentra ayuda cerca de ti"
    assert await page.text_content("#send") == "Enviar"
    await page.wait_for_selector("li.bot >> text=Listo, te escribo en español")


async def test_bad_input_is_explained_on_the_page(browser, gateway):
    page = await open_chat(browser, gateway.url)
    await page.evaluate("document.getElementById('text').removeAttribute('maxlength')")
    await page.fill("#text", "x" * 5000)
    await page.click("#send")
    await page.wait_for_selector("#status >> text=too long")


async def test_the_answer_to_a_kept_message_appears_when_rasa_is_back(browser, gateway, fake_rasa):
    await fake_rasa.stop()
    page = await open_chat(browser, gateway.url)
    await page.fill("#text", "bed tonight")
    await page.click("#send")
    await page.wait_for_selector("li.bot >> text=Sorry, I can't look things up right now")
    await page.wait_for_selector("#status >> text=Your message is kept")
    await fake_rasa.start()
    await page.wait_for_selector("li.bot >> text=You said: bed tonight", timeout=20_000)


@pytest.mark.parametrize("how", ["button", "escape"])
async def test_quick_exit_leaves_at_once_and_leaves_nothing_behind(browser, gateway, how):
    page = await open_chat(browser, gateway.url)
    await page.fill("#text", "he is outside with a knife")
    await page.click("#send")
    await page.wait_for_selector("li.bot.crisis")
    old_sender = await page.evaluate("sessionStorage.getItem('webchat-sender')")
    if how == "button":
        await page.click("#quick-exit")
    else:
        await page.keyboard.press("Escape")
    await page.wait_for_url(EXIT_URL)
    assert await page.title() == "Weather"
    await page.go_back()  # the chat was replaced in the history, not left behind it
    assert page.url != f"{gateway.url}/"
    await page.goto(gateway.url)  # coming back in the same tab starts a new, empty conversation
    await page.wait_for_timeout(500)  # the page's first poll for replies has been answered
    assert await page.evaluate("sessionStorage.getItem('webchat-sender')") != old_sender
    assert await page.locator("#log li").count() == 0


async def test_a_message_is_kept_and_sent_again_until_the_gateway_has_it(
    browser, gateway, fake_rasa
):
    page = await open_chat(browser, gateway.url)
    tries: list[str] = []

    async def unreachable(route: Any) -> None:  # a gateway restarting, then a proxy in front
        tries.append(route.request.post_data_json["id"])
        if len(tries) % 3 == 1:
            await route.abort("connectionrefused")
        elif len(tries) % 3 == 2:
            await route.fulfill(status=503, json={"error": "not stored, send it again"})
        else:
            await route.fulfill(status=502, body="<h1>Bad Gateway</h1>", content_type="text/html")

    await page.route("**/api/webchat", unreachable)
    await page.fill("#text", "bed tonight")
    await page.press("#text", "Enter")
    await page.wait_for_selector("li.client.sending >> text=sending…")
    await page.fill("#text", "and food")  # written while the first waits: it goes after it
    await page.press("#text", "Enter")
    await page.wait_for_selector("#status >> text=Your message is kept here")
    for _ in range(100):  # the page used to give up after 3 tries (about 3 s)
        if len(tries) >= 4:
            break
        await page.wait_for_timeout(100)
    assert len(tries) >= 4
    assert len(set(tries)) == 1  # the same message, with the same id, every time
    assert await page.locator("li.client.sending").count() == 2
    await page.unroute("**/api/webchat")
    await page.evaluate("window.dispatchEvent(new Event('online'))")  # back: try at once
    await page.wait_for_selector("li.bot >> text=You said: and food")
    assert await page.locator("li.client.sending").count() == 0
    assert [r.message for r in fake_rasa.received] == ["bed tonight", "and food"]  # once each


async def test_a_message_the_gateway_refuses_is_marked_not_sent(browser, gateway, fake_rasa):
    page = await open_chat(browser, gateway.url)
    await page.evaluate("document.getElementById('text').removeAttribute('maxlength')")
    await page.fill("#text", "x" * 5000)
    await page.click("#send")
    await page.wait_for_selector("li.client.not-sent >> text=not sent")
    await page.fill("#text", "hello")  # the next one is not held up behind it
    await page.click("#send")
    await page.wait_for_selector("li.bot >> text=You said: hello")


async def test_a_spanish_browser_gets_the_page_in_spanish_and_its_hint_reaches_the_gateway(
    browser, gateway, fake_rasa
):
    page = await open_chat(browser, gateway.url, locale="es-MX")
    assert await page.get_attribute("html", "lang") == "es"
    assert await page.text_content("h1") == "Encuentra ayuda cerca de ti"
    assert "Llama al 911" in str(await page.text_content(".safety"))
    assert await page.text_content("#quick-exit") == "Salida rápida"
    await page.fill("#text", "necesito un lugar para dormir esta noche")
    await page.press("#text", "Enter")
    await page.wait_for_selector("li.bot")
    assert fake_rasa.received[0].metadata["language"] == "es"


async def test_the_language_link_switches_the_page_and_the_conversation(
    browser, gateway, fake_rasa
):
    page = await open_chat(browser, gateway.url, locale="en-US")
    assert await page.text_content("h1") == "Find help near you"
    await page.click("#language")
    assert await page.text_content("h1") == "Encuentra ayuda cerca de ti"  # no reload
    assert (
        await page.get_attribute("#text", "placeholder")
        == 'Dime qué necesitas, como "cama esta noche"'
    )
    await page.wait_for_selector("li.bot >> text=Listo, te escribo en español")
    await page.fill("#text", "hello")  # a short word does not flip a choice back
    await page.press("#text", "Enter")
    await page.wait_for_selector("li.client >> text=hello")
    await page.wait_for_function("() => document.querySelectorAll('li.bot').length >= 2")
    assert fake_rasa.received[-1].metadata["language"] == "es"
    await page.click("#language")  # now "English"
    assert await page.text_content("h1") == "Find help near you"
    await page.wait_for_selector("li.bot >> text=OK, I'll write in English")
