// The staff console's case page: new transcript lines appear without a reload (a reply being
// typed is kept); when the case changes state (claimed, closed) the page reloads to show what
// can be done now. The queue page reloads itself (a meta refresh): nothing to do there.
(() => {
  "use strict";
  const list = document.getElementById("transcript");
  if (!list) return;
  const status = document.getElementById("status");
  const caseId = list.dataset.case;
  let last = Number(list.dataset.last || 0);
  const shownStatus = status ? status.className : "";

  async function poll() {
    try {
      const response = await fetch(`/staff/cases/${caseId}/entries?after=${last}`, {
        credentials: "same-origin",
      });
      if (response.status === 401) { window.location.assign("/staff/login"); return; }
      if (!response.ok) return;
      const data = await response.json();
      for (const entry of data.entries) {
        if (list.querySelector(`li[data-id="${entry.id}"]`)) continue;
        const item = document.createElement("li");
        item.className = entry.direction;
        item.dataset.id = entry.id;
        const time = document.createElement("time");
        time.textContent = entry.time;
        item.append(time, " ", entry.text);
        list.appendChild(item);
        last = Math.max(last, entry.id);
      }
      if (data.status !== shownStatus) {
        const typing = document.getElementById("reply-text");
        if (!typing || !typing.value) window.location.reload();
        else if (status) status.textContent = data.status_line;
      }
    } catch (error) { /* try again at the next tick */ }
  }
  setInterval(poll, 3000);
})();
