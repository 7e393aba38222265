// Hembas service worker: my shift on the phone while off the box's wifi, and an outbox for what I write.
//
// The saved day (cache DAY) is what GET /offline/dag lists: Idag, the client cards of my route,
// Kontakter, the static files. Pages come from the box whenever it answers; a saved copy is shown
// only when it does not, marked "Sparad 06:52 – inte uppdaterad". It is wiped at sign-out, when
// the box has ended the session (a sign-in page is shown), and after the shift's end plus margin.
// Notes, outcomes and deviations posted while the box does not answer wait in IndexedDB with their
// idempotency key and are sent, with a fresh CSRF token, as soon as it answers again.
"use strict";

// What this worker writes itself, in the box's language: webui/offline.py fills this line in from the
// message catalogue when it serves /sw.js (inside the script, since they are shown when the box is away).
var TEXT = {};

var DAY = "hembas-dag";
var RESAVE_MS = 5 * 60 * 1000;  // the whole day again at most this often (each page opened updates its own copy)
var WRITE = /^\/klient\/[^/]+\/skriv$/;

self.addEventListener("install", function () { self.skipWaiting(); });
self.addEventListener("activate", function (event) { event.waitUntil(self.clients.claim()); });

// -- IndexedDB: "meta" (the saved day, the last user) and "outbox" (keyed by idempotency key) --------

function store(name, mode, work) {
  return new Promise(function (resolve, reject) {
    var open = indexedDB.open("hembas", 1);
    open.onupgradeneeded = function () {
      open.result.createObjectStore("meta");
      open.result.createObjectStore("outbox", { keyPath: "key" });
    };
    open.onerror = function () { reject(open.error); };
    open.onsuccess = function () {
      var db = open.result, tx = db.transaction(name, mode), request = work(tx.objectStore(name));
      tx.oncomplete = function () { db.close(); resolve(request && request.result); };
      tx.onerror = tx.onabort = function () { db.close(); reject(tx.error); };
    };
  });
}
function getMeta(key) { return store("meta", "readonly", function (s) { return s.get(key); }); }
function setMeta(key, value) { return store("meta", "readwrite", function (s) { return s.put(value, key); }); }
function outbox() { return store("outbox", "readonly", function (s) { return s.getAll(); }); }
function keep(item) { return store("outbox", "readwrite", function (s) { return s.put(item); }); }
function drop(key) { return store("outbox", "readwrite", function (s) { return s.delete(key); }); }

// -- the saved day -------------------------------------------------------------------------------

async function savedDay() {
  var day = await getMeta("day");
  if (day && Date.now() + day.offset > day.until) {  // the box's clock, not the phone's: offset from the save
    await wipeDay();
    return null;
  }
  return day || null;
}

async function wipeDay() {
  await caches.delete(DAY);
  await store("meta", "readwrite", function (s) { s.delete("checked"); return s.delete("day"); });
}

function stamped(response, at) {
  var headers = new Headers(response.headers);
  headers.set("X-Hembas-Saved", String(at));
  return response.blob().then(function (body) {
    return new Response(body, { status: response.status, statusText: response.statusText, headers: headers });
  });
}

async function saveDay() {
  var day = await savedDay(), checked = await getMeta("checked");
  if (checked && Date.now() - checked < RESAVE_MS) return;
  var answer = await fetch("/offline/dag", { headers: { Accept: "application/json" } });
  if (answer.redirected || !answer.ok) { await wipeDay(); return; }  // signed out on the box
  var plan = await answer.json();
  if (!plan.pages.length || (day && day.user !== plan.user)) await wipeDay();
  if (!plan.pages.length) return setMeta("checked", Date.now());  // a technician, a day off: ask again later
  var cache = await caches.open(DAY), now = Date.now(), wanted = plan.pages.concat(plan["static"]);
  for (var i = 0; i < wanted.length; i++) {  // one at a time: a Pi serves eight phones
    var response = await fetch(wanted[i], { headers: { "X-Hembas-Save": "1" } });
    if (response.ok && !response.redirected) await cache.put(wanted[i], await stamped(response, now));
  }
  var keys = await cache.keys();
  for (var k = 0; k < keys.length; k++) {
    var url = new URL(keys[k].url);
    if (wanted.indexOf(url.pathname + url.search) < 0) await cache.delete(keys[k]);
  }
  await setMeta("day", { user: plan.user, shift: plan.shift, saved: now, offset: Date.parse(plan.now) - now,
                         until: Date.parse(plan.until), pages: plan.pages });
  await setMeta("checked", now);
}

function dayKey(url) {
  return url.pathname === "/idag" && !url.search ? "/" : url.pathname + url.search;
}

async function savedCopy(url) {
  if (!(await savedDay())) return null;
  var cache = await caches.open(DAY);
  var found = await cache.match(dayKey(url), { ignoreVary: true });
  if (!found && url.pathname.indexOf("/klient/") === 0) {  // the same card opened without ?besok=
    found = await cache.match(url.pathname, { ignoreVary: true, ignoreSearch: true });
  }
  return found || null;
}

function clock(ms) {
  return new Date(ms).toLocaleTimeString("sv-SE", { hour: "2-digit", minute: "2-digit" });
}

async function markedCopy(saved) {
  var html = await saved.text(), at = Number(saved.headers.get("X-Hembas-Saved"));
  var note = '<p class="saved" role="status">' + TEXT.saved.replace("%(time)s", clock(at)) + "</p>";
  return new Response(html.replace("</header>", "</header>" + note),
                      { headers: { "Content-Type": "text/html; charset=utf-8", "Cache-Control": "no-store" } });
}

async function plainPage(title, text) {
  var day = await getMeta("day"), css = "";
  var cached = await caches.match("/static/hembas.css", { ignoreSearch: true });
  if (cached) css = '<link rel="stylesheet" href="' + cached.url + '">';
  var html = '<!doctype html><html lang="' + TEXT.lang + '"><head><meta charset="utf-8"><meta name="viewport" ' +
    'content="width=device-width,initial-scale=1"><title>' + title + " – Hembas</title>" + css + "</head><body>" +
    '<header><a class="brand" href="/">Hembas</a></header><main><h1>' + title + "</h1><p>" + text + "</p>" +
    (day ? '<p><a class="button secondary" href="/">' + TEXT.toToday + "</a></p>" : "") + "</main></body></html>";
  return new Response(html, { headers: { "Content-Type": "text/html; charset=utf-8", "Cache-Control": "no-store" } });
}

// Only when the box does not answer at all: a slow answer may carry "Sparat." for what was just written.
async function page(request) {
  var url = new URL(request.url), saved = await savedCopy(url);
  try {
    var response = await fetch(request);
    if (saved && response.ok && response.type === "basic" && !response.redirected) {  // keep the copy current
      var copy = await stamped(response.clone(), Date.now());
      await (await caches.open(DAY)).put(dayKey(url), copy);
    }
    return response;
  } catch (error) {
    if (saved) return markedCopy(saved);
    return plainPage(TEXT.notSavedTitle, TEXT.notSaved);
  }
}

async function staticFile(request) {
  var cache = await caches.open(DAY), found = await cache.match(request, { ignoreVary: true });
  return found || fetch(request);
}

// -- the outbox ------------------------------------------------------------------------------------

function newKey() {
  if (self.crypto.randomUUID) return self.crypto.randomUUID();
  return Array.prototype.map.call(self.crypto.getRandomValues(new Uint8Array(16)),
                                  function (b) { return (b + 256).toString(16).slice(1); }).join("");
}

async function clientName(cardPath) {
  var found = await caches.match(cardPath, { ignoreSearch: true, ignoreVary: true });
  var title = found && /<h1>([^<]*)<\/h1>/.exec(await found.text());
  if (!title) return "";
  return title[1].replace(/&#39;/g, "'").replace(/&#34;|&quot;/g, '"').replace(/&lt;/g, "<")
                 .replace(/&gt;/g, ">").replace(/&amp;/g, "&");
}

async function write(request) {
  var copy = request.clone();
  try {
    return await fetch(request);  // the box answers: a double tap is harmless (the form's key)
  } catch (error) {
    var form = await copy.formData(), fields = {};
    form.forEach(function (value, name) { fields[name] = value; });
    delete fields.csrf;  // a fresh token is fetched before sending
    fields.idempotency_key = fields.idempotency_key || newKey();
    fields.written_at = new Date().toISOString();
    var card = new URL(request.url).pathname.replace(/\/skriv$/, "");
    await keep({ key: fields.idempotency_key, url: request.url, fields: fields, written: Date.now(), state: "waiting",
                 user: (await getMeta("user")) || "", client: await clientName(card), card: card });
    await tell();
    var back = card + (fields.visit_id ? "?besok=" + encodeURIComponent(fields.visit_id) : "");
    return Response.redirect(back, 303);
  }
}

var sending = null;
function send() {  // one send at a time, however many pages ask
  sending = sending || sendWaiting().finally(function () { sending = null; });
  return sending;
}

async function sendWaiting() {
  var items = (await outbox()).filter(function (i) { return i.state === "waiting"; });
  if (!items.length) return;
  items.sort(function (a, b) { return a.written - b.written; });
  var answer;
  try {
    answer = await fetch("/offline/csrf", { headers: { Accept: "application/json" } });
  } catch (error) {
    return;  // still away from the box
  }
  if (answer.redirected || !answer.ok) { await setMeta("notice", "signed-out"); return; }
  var session = await answer.json();
  await setMeta("notice", "");
  for (var i = 0; i < items.length; i++) {
    var item = items[i];
    if (item.user && item.user !== session.user) continue;  // someone else's: waits for them to sign in
    var body = new URLSearchParams(item.fields);
    body.set("csrf", session.csrf);
    var response;
    try {
      response = await fetch(item.url, { method: "POST", body: body, headers: { Accept: "application/json" } });
    } catch (error) {
      return;  // the wifi went again: the rest waits
    }
    if (response.redirected) { await setMeta("notice", "signed-out"); return; }
    if (response.ok) { await drop(item.key); continue; }
    if (response.status >= 500) return;  // the box has trouble now (full card …): try again later
    var refusal = await response.json().catch(function () { return {}; });
    item.state = "refused";
    item.reason = refusal.error || TEXT.refused.replace("%(status)s", response.status);
    await keep(item);
  }
}

async function tell() {
  var items = await outbox(), day = await getMeta("day"), notice = await getMeta("notice");
  var message = { type: "outbox", items: items, notice: notice || "", saved: day ? day.saved : 0,
                  user: day ? day.user : "" };
  var windows = await self.clients.matchAll({ type: "window", includeUncontrolled: true });
  windows.forEach(function (w) { w.postMessage(message); });
}

async function signOut(request) {
  await send().catch(function () {});
  var response = null;
  try { response = await fetch(request); } catch (error) { response = null; }
  await wipeDay();
  await store("outbox", "readwrite", function (s) { return s.clear(); });  // the page asked the carer first
  await tell();
  return response || plainPage(TEXT.signedOutTitle, TEXT.signedOut);
}

// -- what pages ask ----------------------------------------------------------------------------

async function heard(message) {
  if (message.type === "page") {
    await setMeta("user", message.user);
    var day = await savedDay();
    if (!message.user || (day && day.user !== message.user)) await wipeDay();  // signed out, or someone else
    if (message.user && message.fresh) await saveDay().catch(function () {});
    await send().catch(function () {});
  } else if (message.type === "send") {
    await send().catch(function () {});
  } else if (message.type === "remove") {
    await drop(message.key);
  }
  await tell();
}

self.addEventListener("message", function (event) { event.waitUntil(heard(event.data || {})); });

self.addEventListener("fetch", function (event) {
  var request = event.request, url = new URL(request.url);
  if (url.origin !== self.location.origin) return;
  if (request.method === "POST" && url.pathname === "/logga-ut") event.respondWith(signOut(request));
  else if (request.method === "POST" && WRITE.test(url.pathname)) event.respondWith(write(request));
  else if (request.method !== "GET") return;
  else if (request.mode === "navigate") event.respondWith(page(request));
  else if (url.pathname.indexOf("/static/") === 0) event.respondWith(staticFile(request));
});
