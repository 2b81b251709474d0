// The web chat page: sends what the client types to POST /api/webchat, shows the replies,
// polls for replies that come later (when the assistant was slow or down), and leaves at once
// on Quick Exit or Escape. Nothing of the conversation is kept in the browser but a random id
// for this tab (sessionStorage), which Quick Exit clears.
//
// A message is never given up on: until the gateway acknowledges it (any answer but an error
// about the message itself), it stays on the page marked "sending…" and is sent again, with
// the same id (so the gateway keeps it once), after 1 s, 2 s, 4 s... at most 15 s apart, and at
// once when the browser comes back online. Messages go in the order they were written.
//
// A directory reply comes with its services as data ("listing"): each is drawn as a card with
// a Call link (tel:) and a Directions link, and whether it is open now; every word in it is the
// action server's, in the conversation's language, and goes in as text, never as markup.
//
// The page's texts come in every language of the region (the "texts" meta); the language link
// switches them in place and sends the choice as the first reply's language button does. Each
// message carries the browser's language as a hint (the gateway decides, bot/language.py).
(() => {
  "use strict";

  const exitUrl = document.querySelector('meta[name="quick-exit-url"]').content;
  const catalog = JSON.parse(document.querySelector('meta[name="texts"]').content);
  let language = catalog.language;
  const t = (name) => catalog.texts[language][name];
  const log = document.getElementById("log");
  const statusLine = document.getElementById("status");
  const form = document.getElementById("composer");
  const input = document.getElementById("text");
  const POLL_MS = 3000;
  const RETRY_FIRST_MS = 1000;
  const RETRY_LONGEST_MS = 15000;

  function quickExit() {
    try { sessionStorage.clear(); } catch (e) { /* storage may be blocked */ }
    document.body.textContent = "";
    window.location.replace(exitUrl);
  }
  document.getElementById("quick-exit").addEventListener("click", quickExit);
  document.addEventListener("keydown", (event) => { if (event.key === "Escape") quickExit(); });

  function randomId(bytes) {
    const values = new Uint8Array(bytes);
    crypto.getRandomValues(values);
    return Array.from(values, (b) => b.toString(16).padStart(2, "0")).join("");
  }

  let sender = sessionStorage.getItem("webchat-sender");
  if (!sender) {
    sender = randomId(16);
    sessionStorage.setItem("webchat-sender", sender);
  }
  let lastId = 0;
  const shown = new Set();

  function scrollDown() { window.scrollTo(0, document.body.scrollHeight); }

  function addClient(text) {
    const item = document.createElement("li");
    item.className = "client sending";
    item.appendChild(document.createTextNode(text));
    const state = document.createElement("small");
    state.className = "state";
    state.textContent = t("sending");
    item.appendChild(state);
    log.appendChild(item);
    scrollDown();
    return item;
  }

  function settle(item, failed) {
    item.classList.remove("sending");
    const state = item.querySelector(".state");
    if (failed) {
      item.classList.add("not-sent");
      state.textContent = t("not_sent");
    } else {
      state.remove();
    }
  }

  function showUnit(unit) {
    if (shown.has(unit.id)) return;
    shown.add(unit.id);
    lastId = Math.max(lastId, unit.id);
    const item = document.createElement("li");
    item.className = "bot " + (unit.kind || "");
    item.dataset.id = unit.id;
    if (unit.listing && (unit.listing.services || []).length) {
      item.classList.add("listing");
      item.appendChild(listingNode(unit.listing));
    } else if (unit.text) {
      item.appendChild(withPhoneLinks(unit.text));
    }
    if (unit.image) {
      const img = document.createElement("img");
      img.src = unit.image;
      img.alt = "";
      item.appendChild(img);
    }
    const choices = document.createElement("div");
    choices.className = "choices";
    for (const button of unit.buttons || []) {
      choices.appendChild(choice(button.title, () => {
        // The first reply's language button: the page follows the conversation's language.
        const chosen = /^\/language_([a-z]{2,3})$/.exec(button.payload);
        if (chosen && catalog.texts[chosen[1]]) showLanguage(chosen[1]);
        send({ payload: button.payload }, button.title);
      }));
    }
    if (unit.request_location && navigator.geolocation) {
      choices.appendChild(choice(t("use_location"), shareLocation));
    }
    if (choices.childElementCount) item.appendChild(choices);
    log.appendChild(item);
    scrollDown();
  }

  function el(tag, className, text) {
    const node = document.createElement(tag);
    if (className) node.className = className;
    if (text) node.textContent = text;
    return node;
  }

  function link(href, className, text, external) {
    const a = el("a", className, text);
    a.href = href;
    if (external) {
      a.target = "_blank";
      a.rel = "noopener noreferrer";
    }
    return a;
  }

  // Phone numbers in a reply become a tap to call: a US number of ten digits (with or without
  // +1, dashes, dots or brackets), and 911, 988 or 211 after "call" (or "llama al"). Not a
  // number with another country's prefix, not a short code to text ("text START to 88788").
  const PHONE = /(?<![\d+])(?<!\+\d{1,3}[ .-])((?:\+?1[-. ]?)?(?:\([2-9]\d{2}\)|[2-9]\d{2})[-. ]?[2-9]\d{2}[-. ]?\d{4})(?!\d)|((?:call|llama al|llamar al)\s+)(911|988|211)\b/gi;
  function withPhoneLinks(text) {
    const part = document.createDocumentFragment();
    let at = 0;
    for (const found of text.matchAll(PHONE)) {
      part.appendChild(document.createTextNode(text.slice(at, found.index)));
      if (found[1]) {
        const digits = found[1].replace(/\D/g, "").slice(-10);
        part.appendChild(link(`tel:+1${digits}`, "phone", found[1]));
      } else {
        part.appendChild(document.createTextNode(found[2]));
        part.appendChild(link(`tel:${found[3]}`, "phone", found[3]));
      }
      at = found.index + found[0].length;
    }
    part.appendChild(document.createTextNode(text.slice(at)));
    return part;
  }

  function listingNode(listing) {
    const labels = listing.labels || {};
    const part = document.createDocumentFragment();
    if (listing.header) part.appendChild(el("p", "header", listing.header));
    const cards = el("ul", "services");
    for (const service of listing.services) {
      const card = el("li", "service");
      card.appendChild(el("p", "name", `${service.number}. ${service.name}`));
      const facts = el("p", "facts");
      facts.appendChild(el("span", `badge ${service.state}`, service.status));
      if (service.distance) facts.appendChild(document.createTextNode(` ${service.distance}`));
      card.appendChild(facts);
      if (service.who) card.appendChild(el("p", "who", `${labels.for || ""} ${service.who}`.trim()));
      if (service.speaks && labels.speaks) card.appendChild(el("p", "who", labels.speaks));
      if (service.address) {
        const area = service.confidential && labels.area ? `${labels.area} ` : "";
        card.appendChild(el("p", "address", area + service.address));
      }
      const actions = el("p", "actions");
      if (service.tel) {
        actions.appendChild(link(service.tel, "call", `${labels.call || "Call"} ${service.phone || ""}`.trim()));
      } else if (service.phone) {
        actions.appendChild(el("span", "phone", `${labels.phone || ""} ${service.phone}`.trim()));
      }
      if (service.directions) {
        actions.appendChild(link(service.directions, "directions", labels.directions || "Directions", true));
      }
      if (service.url) actions.appendChild(link(service.url, "website", labels.website || "Website", true));
      if (actions.childElementCount) card.appendChild(actions);
      cards.appendChild(card);
    }
    part.appendChild(cards);
    if (listing.footer) {
      const footer = el("p", "footer");
      footer.appendChild(withPhoneLinks(listing.footer));
      part.appendChild(footer);
    }
    return part;
  }

  function choice(title, onClick) {
    const button = document.createElement("button");
    button.type = "button";
    button.textContent = title;
    button.addEventListener("click", onClick);
    return button;
  }

  function shareLocation() {
    statusLine.textContent = t("finding_location");
    navigator.geolocation.getCurrentPosition(
      (position) => {
        const { latitude, longitude } = position.coords;
        send({ location: { latitude, longitude } }, t("my_location"));
      },
      () => { statusLine.textContent = t("location_failed"); },
      { timeout: 10000 },
    );
  }

  const outgoing = []; // { body, item }, oldest first; the first is being sent
  let sending = false;
  let wakeUp = null; // ends the wait before the next try (the browser is back online)

  function send(message, shownAs) {
    const item = addClient(shownAs);
    const hint = navigator.language || undefined;
    outgoing.push({
      body: JSON.stringify({ ...message, sender, id: randomId(8), language: hint }),
      item,
    });
    pump();
  }

  async function pump() {
    if (sending) return;
    sending = true;
    let wait = RETRY_FIRST_MS;
    while (outgoing.length) {
      const { body, item } = outgoing[0];
      const outcome = await post(body);
      if (outcome.retry) {
        statusLine.textContent = t("cant_reach");
        await new Promise((resolve) => { wakeUp = resolve; setTimeout(resolve, wait); });
        wakeUp = null;
        wait = Math.min(wait * 2, RETRY_LONGEST_MS);
        continue;
      }
      outgoing.shift();
      wait = RETRY_FIRST_MS;
      settle(item, Boolean(outcome.error));
      if (outcome.error) {
        statusLine.textContent = outcome.error;
        continue;
      }
      outcome.data.replies.forEach(showUnit);
      if (outcome.data.more) {
        statusLine.textContent = "…"; // the crisis reply came first: the poll shows what follows
        pollSoon();
      } else {
        statusLine.textContent = outcome.data.pending
          ? t("kept")
          : "";
      }
    }
    sending = false;
  }

  // One try: { data } when the gateway has the message, { error } when it refuses the message
  // itself (a 4xx: sending it again will not help), { retry: true } for anything else.
  async function post(body) {
    let response;
    try {
      response = await fetch("/api/webchat", {
        method: "POST",
        headers: { "Content-Type": "application/json" },
        body,
      });
    } catch (error) {
      return { retry: true }; // no connection: the gateway may be restarting
    }
    let data = null;
    try { data = await response.json(); } catch (error) { /* a proxy's error page */ }
    if (response.ok && data) return { data };
    const refused = response.status >= 400 && response.status < 500
      && response.status !== 408 && response.status !== 429;
    if (refused) {
      return { error: (data && data.error) || t("went_wrong") };
    }
    return { retry: true };
  }

  window.addEventListener("online", () => { if (wakeUp) wakeUp(); });

  async function poll() {
    try {
      const query = new URLSearchParams({ sender, after: String(lastId) });
      const response = await fetch(`/api/webchat/messages?${query}`);
      if (response.ok) {
        const data = await response.json();
        if (data.messages.length) statusLine.textContent = "";
        data.messages.forEach(showUnit);
      }
    } catch (error) { /* try again at the next tick */ }
  }

  // After the crisis reply, what the assistant says next is fetched sooner than the usual tick.
  function pollSoon() {
    [500, 1500, 3000].forEach((delay) => setTimeout(poll, delay));
  }

  // "Delete my messages": the gateway explains what that does and asks to confirm first.
  document.getElementById("forget").addEventListener("click", () => {
    send({ payload: "/erase_request" }, t("forget"));
  });

  // The language link: the page in that language at once, and the conversation told. Without
  // a script, the link opens the page in that language (?lang=).
  function showLanguage(code) {
    language = code;
    document.documentElement.lang = code;
    document.querySelectorAll("[data-text]").forEach((el) => { el.textContent = t(el.dataset.text); });
    document.querySelectorAll("[data-title]").forEach((el) => { el.title = t(el.dataset.title); });
    document.querySelectorAll("[data-placeholder]").forEach((el) => {
      el.placeholder = t(el.dataset.placeholder);
    });
    document.querySelectorAll("[data-label]").forEach((el) => {
      el.setAttribute("aria-label", t(el.dataset.label));
    });
    const link = document.getElementById("language");
    const other = Object.keys(catalog.texts).find((c) => c !== code);
    if (link && other) {
      link.dataset.language = other;
      link.lang = other;
      link.hreflang = other;
      link.href = `?lang=${other}`;
      link.textContent = catalog.names[other];
    }
  }
  const languageLink = document.getElementById("language");
  if (languageLink) {
    languageLink.addEventListener("click", (event) => {
      event.preventDefault();
      const code = languageLink.dataset.language;
      showLanguage(code);
      // The gateway's own language payload, as the first reply's language button sends it.
      send({ payload: `/language_${code}` }, catalog.names[code]);
      input.focus();
    });
  }

  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const text = input.value.trim();
    if (!text) return;
    input.value = "";
    send({ text }, text);
  });
  input.addEventListener("keydown", (event) => {
    if (event.key === "Enter" && !event.shiftKey) {
      event.preventDefault();
      form.requestSubmit();
    }
  });

  poll();
  setInterval(poll, POLL_MS);
  input.focus();
})();
