// The web chat page: sends what the client types to POST /api/webchat, shows the replies,
// polls for replies that come later (when the assistant was slow or down), and leaves at once
// on Quick Exit or Escape. Nothing of the conversation is kept in the browser but a random id
// for this tab (sessionStorage), which Quick Exit clears.
(() => {
  "use strict";

  const exitUrl = document.querySelector('meta[name="quick-exit-url"]').content;
  const log = document.getElementById("log");
  const statusLine = document.getElementById("status");
  const form = document.getElementById("composer");
  const input = document.getElementById("text");
  const POLL_MS = 3000;

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
    item.className = "client";
    item.textContent = text;
    log.appendChild(item);
    scrollDown();
  }

  function showUnit(unit) {
    if (shown.has(unit.id)) return;
    shown.add(unit.id);
    lastId = Math.max(lastId, unit.id);
    const item = document.createElement("li");
    item.className = "bot " + (unit.kind || "");
    item.dataset.id = unit.id;
    if (unit.text) item.appendChild(document.createTextNode(unit.text));
    if (unit.image) {
      const img = document.createElement("img");
      img.src = unit.image;
      img.alt = "";
      item.appendChild(img);
    }
    const choices = document.createElement("div");
    choices.className = "choices";
    for (const button of unit.buttons || []) {
      choices.appendChild(choice(button.title, () => send({ payload: button.payload }, button.title)));
    }
    if (unit.request_location && navigator.geolocation) {
      choices.appendChild(choice("Use my location", shareLocation));
    }
    if (choices.childElementCount) item.appendChild(choices);
    log.appendChild(item);
    scrollDown();
  }

  function choice(title, onClick) {
    const button = document.createElement("button");
    button.type = "button";
    button.textContent = title;
    button.addEventListener("click", onClick);
    return button;
  }

  function shareLocation() {
    statusLine.textContent = "Finding where you are…";
    navigator.geolocation.getCurrentPosition(
      (position) => {
        const { latitude, longitude } = position.coords;
        send({ location: { latitude, longitude } }, "My location");
      },
      () => { statusLine.textContent = "Couldn't get your location. Type a town or ZIP code instead."; },
      { timeout: 10000 },
    );
  }

  async function send(message, shownAs) {
    addClient(shownAs);
    statusLine.textContent = "…";
    const body = JSON.stringify({ ...message, sender, id: randomId(8) });
    for (let attempt = 1; attempt <= 3; attempt += 1) {
      try {
        const response = await fetch("/api/webchat", {
          method: "POST",
          headers: { "Content-Type": "application/json" },
          body,
        });
        const data = await response.json();
        if (!response.ok) {
          statusLine.textContent = data.error || "Something went wrong. Please try again.";
          return;
        }
        data.replies.forEach(showUnit);
        statusLine.textContent = data.pending
          ? "Your message is kept. The answer will appear here as soon as I can give it."
          : "";
        return;
      } catch (error) {
        // The same id is sent again, so the gateway keeps the message once.
        await new Promise((resolve) => setTimeout(resolve, 1000 * attempt));
      }
    }
    statusLine.textContent = "I can't reach the assistant. Check your connection and try again.";
  }

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
