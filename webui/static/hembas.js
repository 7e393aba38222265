// Hembas works without JavaScript; this only fills the phone's own time into the clock form.
document.querySelectorAll("[data-phone-time]").forEach(function (form) {
  form.addEventListener("submit", function () {
    var now = new Date();
    form.querySelector("[name=phone_time]").value = now.toISOString();
  });
  var input = form.querySelector("[name=local_time]");
  if (input) {
    var d = new Date(), pad = function (n) { return String(n).padStart(2, "0"); };
    input.value = d.getFullYear() + "-" + pad(d.getMonth() + 1) + "-" + pad(d.getDate()) + "T" + pad(d.getHours()) + ":" + pad(d.getMinutes());
  }
});

// The phone on the road (see static/sw.js): a service worker keeps my shift and an outbox.
// Each shown copy of a form gets fresh idempotency keys, so a note written on a page restored from
// history is a new note, while a double tap on one form sends one key twice and is stored once.
(function () {
  function newKey() {
    if (window.crypto.randomUUID) return window.crypto.randomUUID();
    return Array.prototype.map.call(window.crypto.getRandomValues(new Uint8Array(16)),
                                    function (b) { return (b + 256).toString(16).slice(1); }).join("");
  }
  window.addEventListener("pageshow", function () {
    document.querySelectorAll("input[name=idempotency_key]").forEach(function (input) { input.value = newKey(); });
  });
  if (!("serviceWorker" in navigator) || !window.isSecureContext) return;

  // What this script writes, in the box's language: the page carries them from the message catalogue
  // (webui.offline.page_texts), since this file is cached for a year whatever the language.
  var block = document.getElementById("page-texts"), TEXT = block ? JSON.parse(block.textContent) : {};
  function say(key, values) {
    var text = TEXT[key] || "";
    values = values || {};
    if (typeof text === "object") text = values.num === 1 ? text.one : text.other;  // as the catalogue: n != 1
    return text.replace(/%\((\w+)\)[sd]|%%/g, function (match, name) { return name ? String(values[name]) : "%"; });
  }

  var user = document.body.dataset.user || "", mine = [], retry = null, delay = 1000;
  // The online event may come before the box can be reached: while anything waits, try again
  // after 1, 2, 4 … 30 seconds (an attempt away from the wifi fails at once and costs nothing).
  var kinds = { note: say("note"), deviation: say("deviation") };

  function el(tag, text, cls) {
    var node = document.createElement(tag);
    if (text) node.textContent = text;
    if (cls) node.className = cls;
    return node;
  }
  function describe(item) {
    var f = item.fields, what = item.fields.kind === "outcome" ? (f.done === "1" ? say("done") : say("notDone"))
                                                               : kinds[f.kind] || f.kind;
    var text = f.kind === "outcome" ? f.reason || "" : f.text || "";
    return what + (item.client ? " – " + item.client : "") + (text ? ": " + text : "");
  }
  function show(state) {
    mine = state.items.filter(function (i) { return !i.user || i.user === user; });
    var box = document.getElementById("utkorg");
    if (!box) {
      box = el("section", "", "outbox");
      box.id = "utkorg";
      box.setAttribute("aria-live", "polite");
      document.querySelector("main").prepend(box);
    }
    box.replaceChildren();
    var waiting = mine.filter(function (i) { return i.state === "waiting"; });
    var refused = mine.filter(function (i) { return i.state === "refused"; });
    clearTimeout(retry);
    if (waiting.length) {
      retry = setTimeout(function () { tell({ type: "send" }); }, delay);
      delay = Math.min(delay * 2, 30000);
    }
    if (waiting.length) {
      box.append(el("p", say("waiting", { num: waiting.length }), "flash waiting"));
      var list = el("ul", "", "list");
      waiting.forEach(function (i) { list.append(el("li", describe(i), "meta")); });
      box.append(list);
    }
    if (state.notice === "signed-out" && waiting.length) {
      box.append(el("p", say("signedOut"), "flash error"));
    }
    refused.forEach(function (item) {
      var card = el("div", "", "flash error refused");
      card.append(el("p", say("refused", { item: describe(item) })), el("p", item.reason));
      var remove = el("button", say("remove"), "secondary");
      remove.type = "button";
      remove.addEventListener("click", function () { tell({ type: "remove", key: item.key }); });
      card.append(remove);
      box.append(card);
    });
    if (state.saved && state.user === user && !document.querySelector(".saved")) {
      var at = new Date(state.saved).toLocaleTimeString("sv-SE", { hour: "2-digit", minute: "2-digit" });  // 07:30, as the box
      box.append(el("p", say("savedDay", { time: at }), "meta saved-day"));
    }
  }
  function tell(message) {
    navigator.serviceWorker.ready.then(function (reg) { reg.active.postMessage(message); });
  }

  navigator.serviceWorker.addEventListener("message", function (event) {
    if (event.data && event.data.type === "outbox") show(event.data);
  });
  navigator.serviceWorker.register("/sw.js").then(function () {
    tell({ type: "page", user: user, fresh: !document.querySelector(".saved") });
  });
  window.addEventListener("online", function () { delay = 1000; tell({ type: "send" }); });
  document.querySelectorAll("form[action='/logga-ut']").forEach(function (form) {
    form.addEventListener("submit", function (event) {
      if (mine.length && !window.confirm(say("unsent", { num: mine.length }))) {
        event.preventDefault();
      }
    });
  });
})();
