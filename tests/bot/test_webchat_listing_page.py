"""The web chat page with a real directory reply (issue 20), in headless Chromium: a card per
service with Call and Directions, checked by axe-core for WCAG 2.1 AA, by keyboard, on a
320-pixel-wide screen and on a slow connection.

axe-core is the npm package's own ``axe.min.js`` (shipped in the axe-playwright-python wheel),
run in the page by Playwright.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from axe_playwright_python.async_playwright import Axe
from playwright.async_api import Browser, Page

from contract import PAYLOAD_LISTING
from tests.bot.test_gateway_page import EXIT_URL, open_chat
from tests.listings import built_directory, directory_answer

pytestmark = pytest.mark.browser

PAGE_BUDGET = 40_000  # bytes: the page, chat.js and chat.css together (docs/channels.md)
WCAG_AA = {"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]}}


@pytest.fixture(scope="module")
def directory(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return built_directory(tmp_path_factory.mktemp("directory"))


@pytest.fixture
async def gateway(start_gateway, settings_for, fake_rasa, directory):
    for words, need in (("food near redwood city", "food"), ("a bed in redwood city", "shelter")):
        fake_rasa.script[words] = await directory_answer(
            directory, need, "Redwood City, CA", "webchat"
        )
    return await start_gateway(settings_for(quick_exit_url=EXIT_URL))


def services_of(answer: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return next(e["custom"][PAYLOAD_LISTING] for e in answer if "custom" in e)["services"]


async def search(page: Page, words: str) -> None:
    count = await page.locator("li.bot.listing").count()
    await page.fill("#text", words)
    await page.press("#text", "Enter")
    await page.locator("li.bot.listing").nth(count).wait_for()


async def axe_violations(page: Page) -> str:
    results = await Axe().run(page, options=WCAG_AA)
    return results.generate_report() if results.violations_count else ""


async def test_a_search_gives_a_card_per_service_with_call_and_directions(
    browser, gateway, fake_rasa
):
    page = await open_chat(browser, gateway.url)
    await search(page, "food near redwood city")
    expected = services_of(fake_rasa.script["food near redwood city"])
    cards = page.locator("li.bot.listing .service")
    assert await cards.count() == len(expected)
    first = cards.nth(0)
    assert await first.locator(".name").inner_text() == f"1. {expected[0]['name']}"
    call = first.locator("a.call")
    assert await call.get_attribute("href") == expected[0]["tel"]
    assert (await call.inner_text()).startswith("Call +1 ")
    # The open one says so, on a badge.
    open_card = cards.filter(has=page.locator(".badge.open"))
    assert (await open_card.locator(".name").inner_text()).endswith(
        "Fair Oaks Adult Activity Center"
    )
    directions = open_card.locator("a.directions")
    assert (await directions.get_attribute("href")).startswith(
        "https://www.google.com/maps/dir/?api=1&destination=37.4772"
    )
    assert await directions.get_attribute("rel") == "noopener noreferrer"
    # Next steps, as buttons under the cards.
    buttons = page.locator("li.bot.listing .choices button")
    assert (await buttons.all_inner_texts())[:2] == ["More", "Talk to a person"]


async def test_a_refuge_card_has_no_directions_and_only_its_town(browser, gateway, fake_rasa):
    page = await open_chat(browser, gateway.url)
    await search(page, "a bed in redwood city")
    refuge = page.locator(".service").filter(has_text="Rosalie House")
    assert await refuge.locator("a.directions").count() == 0
    assert await refuge.locator(".address").inner_text() == "Area: San Francisco"
    assert await refuge.locator("a.call").count() == 1  # they can still call


@pytest.mark.parametrize("width", [320, 1280])
async def test_axe_core_finds_nothing_before_and_after_a_search(browser, gateway, tmp_path, width):
    page = await open_chat(browser, gateway.url, viewport={"width": width, "height": 720})
    assert await axe_violations(page) == ""
    await search(page, "food near redwood city")
    await search(page, "a bed in redwood city")
    assert await axe_violations(page) == ""
    # Nothing wider than the screen: no sideways scrolling on a small phone.
    assert await page.evaluate("document.documentElement.scrollWidth") <= width
    shot = tmp_path / f"webchat-{width}.png"
    await page.screenshot(path=str(shot), full_page=True)
    assert shot.stat().st_size > 0


async def test_at_200_percent_zoom_the_text_grows_and_nothing_is_cut(browser, gateway):
    # Browser zoom at 200% on a 640-pixel window lays the page out 320 CSS pixels wide with
    # every length doubled on screen: the same as a 320-wide viewport at device scale 2.
    page = await open_chat(
        browser, gateway.url, viewport={"width": 320, "height": 640}, device_scale_factor=2
    )
    await search(page, "food near redwood city")
    assert await page.evaluate("document.documentElement.scrollWidth") <= 320
    # Text sized in the page's own units follows the reader's font size setting too.
    await page.evaluate("document.documentElement.style.fontSize = '200%'")
    size = await page.evaluate(
        "parseFloat(getComputedStyle(document.querySelector('.service .name')).fontSize)"
    )
    assert size >= 32
    assert await page.evaluate("document.documentElement.scrollWidth") <= 320
    assert await axe_violations(page) == ""


async def test_everything_works_by_keyboard_and_quick_exit_comes_first(browser, gateway):
    page = await open_chat(browser, gateway.url)
    await search(page, "food near redwood city")
    await page.click("h1")  # from the top of the page, as a keyboard user starts
    await page.keyboard.press("Tab")
    assert await page.evaluate("document.activeElement.id") == "quick-exit"
    reached = []
    for _ in range(60):  # bounded: the page has a few dozen focusable things
        await page.keyboard.press("Tab")
        reached.append(await page.evaluate("document.activeElement.className"))
        if "call" in reached[-1]:
            break
    assert "call" in reached[-1]
    # A reply is announced to screen readers as it arrives.
    assert await page.get_attribute("#log", "aria-live") == "polite"
    # And Enter on the focused "Talk to a person" button sends it.
    button = page.locator("li.bot.listing .choices button", has_text="Talk to a person")
    await button.focus()
    await page.keyboard.press("Enter")
    await page.wait_for_selector("li.client >> text=Talk to a person")


async def test_the_page_works_on_a_slow_connection(browser: Browser, gateway):
    context = await browser.new_context()
    page = await context.new_page()
    cdp = await context.new_cdp_session(page)
    await cdp.send("Network.enable")
    # A weak 2G signal: 50 kbit/s down, 20 up, 400 ms each way.
    await cdp.send(
        "Network.emulateNetworkConditions",
        {
            "offline": False,
            "latency": 400,
            "downloadThroughput": 50_000 / 8,
            "uploadThroughput": 20_000 / 8,
        },
    )
    responses: list[Any] = []
    page.on("response", lambda response: responses.append(response))
    await page.goto(gateway.url, timeout=60_000)
    await search(page, "food near redwood city")
    assert await page.locator(".service").count() == 5
    # What a first visit downloads: the page, its script and its style, nothing from elsewhere.
    loaded = {r.request.resource_type: len(await r.body()) for r in responses}
    assert set(loaded) >= {"document", "script", "stylesheet"}
    assert sum(loaded[k] for k in ("document", "script", "stylesheet")) < PAGE_BUDGET
    assert all(r.url.startswith(gateway.url) for r in responses)
    await context.close()
