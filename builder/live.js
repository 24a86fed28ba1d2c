// Added by `briefings serve` to the pages it serves, never to the built site.
// Reloads the page when a build has replaced the site, and shows the errors of
// a failed build over the page until a build succeeds.
(() => {
  "use strict";
  const script = document.currentScript;
  const shown = Number(script.dataset.built);
  const host = document.createElement("briefings-errors");
  const root = host.attachShadow({ mode: "open" });
  root.innerHTML = `<style>
    :host { all: initial; }
    section { position: fixed; inset: auto 0 0 0; max-height: 60vh; overflow: auto;
      z-index: 2147483647; margin: 0; padding: 1rem 1.25rem; box-sizing: border-box;
      background: #2b0b0e; color: #ffe4e6; border-top: 4px solid #f43f5e;
      font: 14px/1.5 ui-monospace, SFMono-Regular, Menlo, Consolas, monospace;
      box-shadow: 0 -8px 24px rgb(0 0 0 / 0.35); }
    h2 { margin: 0 0 0.5rem; font: 600 15px/1.4 system-ui, sans-serif; color: #fff; }
    ol { margin: 0; padding-left: 1.5rem; }
    li { margin: 0.25rem 0; white-space: pre-wrap; overflow-wrap: anywhere; }
    p { margin: 0.75rem 0 0; font: 13px/1.4 system-ui, sans-serif; color: #fecdd3; }
  </style>`;
  const panel = document.createElement("section");
  panel.setAttribute("role", "alert");
  panel.setAttribute("aria-label", "Build errors");
  root.append(panel);

  function show(errors) {
    if (!errors.length) {
      host.remove();
      return;
    }
    const title = document.createElement("h2");
    title.textContent = errors.length === 1 ? "The site has an error" : `The site has ${errors.length} errors`;
    const list = document.createElement("ol");
    for (const error of errors) {
      const item = document.createElement("li");
      item.textContent = error;
      list.append(item);
    }
    const hint = document.createElement("p");
    hint.textContent = "Below is the last good build. Fix the file and save: this goes away.";
    panel.replaceChildren(title, list, hint);
    if (!host.isConnected) document.documentElement.append(host);
  }

  const events = new EventSource(new URL("/_briefings/events", location.href));
  events.onmessage = (message) => {
    const state = JSON.parse(message.data);
    if (state.built > shown) {
      events.close();
      location.reload();
      return;
    }
    show(state.errors);
  };
})();
