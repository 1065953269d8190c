// The local web chat page. Plain browser JavaScript, no build step.
// Everything a person typed or named is put on the page with textContent, never as HTML.

const TEXT = JSON.parse(document.getElementById("page-text").textContent);
const LANGUAGES = ["zh-CN", "en"];
const COMMANDS = ["start", "help", "request", "my", "work", "lang", "setup", "stats", "cancel", "roster"];
/** Used when the browser gives no location (denied, or a page not served over https). Dunhua, Jilin. */
const DEMO_POINT = { lat: 43.3725, lng: 128.2326 };
const PHOTO_TYPES = ["image/png", "image/jpeg", "image/gif", "image/webp"];
const MAX_PHOTO_BYTES = 5 * 1024 * 1024;
const MAX_CSV_BYTES = 900 * 1024;

const state = {
  language: LANGUAGES.includes(localStorage.getItem("shangliang.language"))
    ? localStorage.getItem("shangliang.language")
    : "zh-CN",
  villages: [],
  me: undefined,
  village: undefined,
  source: undefined,
};

const $ = (id) => document.getElementById(id);

const panes = {
  private: paneOf("pane-private"),
  group: paneOf("pane-group"),
};

function paneOf(id) {
  const root = $(id);
  return { root, list: root.querySelector(".messages"), shown: new Map() };
}

function toBottom(pane) {
  pane.list.scrollTop = pane.list.scrollHeight;
}

// ---------- text ----------

function tr(key, params = {}) {
  const template = TEXT[state.language][key] ?? TEXT["zh-CN"][key] ?? key;
  return template.replace(/\{(\w+)\}/g, (whole, name) => (name in params ? String(params[name]) : whole));
}

function element(tag, className, text) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined) node.textContent = text;
  return node;
}

function applyText() {
  document.documentElement.lang = state.language;
  document.title = tr("title");
  for (const node of document.querySelectorAll("[data-text]")) node.textContent = tr(node.dataset.text);
  for (const node of document.querySelectorAll("[data-placeholder]"))
    node.placeholder = tr(node.dataset.placeholder);
  for (const node of document.querySelectorAll("[data-empty-text]"))
    node.dataset.empty = tr(node.dataset.emptyText);
  renderVillages();
  renderWho();
}

let toastTimer;
function toast(text, ms = 2200) {
  const box = $("toast");
  box.textContent = text;
  box.hidden = false;
  clearTimeout(toastTimer);
  toastTimer = setTimeout(() => {
    box.hidden = true;
  }, ms);
}

function banner(text) {
  const box = $("banner");
  box.textContent = text ?? "";
  box.hidden = text === undefined;
}

// ---------- people ----------

async function loadPeople() {
  const response = await fetch("/api/people");
  if (!response.ok) throw new Error(`people: ${response.status}`);
  state.villages = (await response.json()).villages;
  renderVillages();
}

function findPerson(memberId) {
  for (const village of state.villages) {
    const member = village.members.find((m) => m.id === memberId);
    if (member) return { village, member };
  }
  return undefined;
}

function renderVillages() {
  const box = $("villages");
  box.replaceChildren();
  if (state.villages.length === 0) {
    box.append(element("p", "card hint", tr("noVillages")));
    return;
  }
  for (const village of state.villages) {
    const card = element("section", "card village");
    const title = element(
      "h2",
      "village-title",
      tr("villageLine", { town: village.town, village: village.name, code: village.code }),
    );
    const count = element("small", "count", tr("rosterCount", { count: village.members.length }));
    const people = element("div", "people");
    for (const member of village.members) {
      const pick = element("button", `person role-${member.role}`);
      pick.type = "button";
      pick.append(element("strong", "", member.name), element("small", "", member.roleName[state.language]));
      pick.addEventListener("click", () => choose(member.id));
      people.append(pick);
    }
    card.append(title, count, people);
    box.append(card);
  }
}

function renderWho() {
  const who = $("who");
  if (!state.me) {
    who.hidden = true;
    $("switch-person").hidden = true;
    return;
  }
  who.replaceChildren(
    element("strong", "", state.me.name),
    element(
      "small",
      "",
      tr("memberOf", { village: state.village.name, role: state.me.roleName[state.language] }),
    ),
  );
  who.hidden = false;
  $("switch-person").hidden = false;
  $("group-village").textContent = `· ${state.village.name}`;
  $("csv-button").hidden = state.me.role !== "secretary";
}

function showPicker() {
  closeStream();
  state.me = undefined;
  state.village = undefined;
  sessionStorage.removeItem("shangliang.member");
  const url = new URL(location.href);
  url.searchParams.delete("member");
  history.replaceState(null, "", url);
  $("chat").hidden = true;
  $("picker").hidden = false;
  renderWho();
  loadPeople().catch(() => toast(tr("offline")));
}

function choose(memberId) {
  const found = findPerson(memberId);
  if (!found) {
    toast(tr("unknownMember"));
    showPicker();
    return;
  }
  state.me = found.member;
  state.village = found.village;
  sessionStorage.setItem("shangliang.member", memberId);
  const url = new URL(location.href);
  url.searchParams.set("member", memberId);
  history.replaceState(null, "", url);
  for (const pane of Object.values(panes)) {
    pane.shown.clear();
    pane.list.replaceChildren();
  }
  $("picker").hidden = true;
  $("chat").hidden = false;
  renderWho();
  openStream();
  window.scrollTo(0, 0);
}

// ---------- live messages ----------

function closeStream() {
  state.source?.close();
  state.source = undefined;
  banner(undefined);
}

function openStream() {
  closeStream();
  const memberId = state.me.id;
  const source = new EventSource(`/api/stream?member=${encodeURIComponent(memberId)}`);
  state.source = source;
  source.addEventListener("ready", () => {
    banner(undefined);
    loadHistory(memberId).catch(() => banner(tr("offline")));
  });
  source.addEventListener("message", (event) => {
    const pushed = JSON.parse(event.data);
    addMessage(pushed.chat, pushed.message);
  });
  source.addEventListener("error", () => {
    if (state.source !== source) return;
    if (source.readyState === EventSource.CLOSED) {
      // The server refused the stream (the person is gone) or stopped for good.
      toast(tr("unknownMember"));
      showPicker();
    } else {
      banner(tr("reconnecting"));
    }
  });
}

async function loadHistory(memberId) {
  const response = await fetch(`/api/history?member=${encodeURIComponent(memberId)}`).catch(() => undefined);
  if (!response) return banner(tr("offline"));
  if (response.status === 404) return showPicker();
  if (!response.ok || state.me?.id !== memberId) return;
  const history = await response.json();
  for (const message of history.private) addMessage("private", message);
  for (const message of history.group) addMessage("group", message);
}

function addMessage(paneName, message) {
  const pane = panes[paneName];
  if (!pane || pane.shown.has(message.id)) return;
  const node = renderMessage(paneName, message);
  let next;
  for (const other of pane.shown.values()) {
    if (other.message.n > message.n && (!next || other.message.n < next.message.n)) next = other;
  }
  pane.shown.set(message.id, { message, node });
  pane.list.insertBefore(node, next ? next.node : null);
  toBottom(pane);
}

function formatTime(at) {
  const date = new Date(at);
  return Number.isNaN(date.getTime())
    ? ""
    : date.toLocaleTimeString(state.language, { hour: "2-digit", minute: "2-digit" });
}

function renderMessage(paneName, message) {
  const item = element("li", `message from-${message.from}`);
  const bubble = element("div", "bubble");
  if (paneName === "group" && message.from === "bot") bubble.append(element("span", "sender", tr("bot")));
  if (message.text) bubble.append(element("p", "text", message.text));
  for (const photo of message.photos) {
    const image = element("img", "photo");
    image.src = `/uploads/${encodeURIComponent(photo)}`;
    image.alt = tr("photoAlt");
    bubble.append(image);
  }
  if (message.location) {
    const { lat, lng } = message.location;
    const link = element("a", "place", `${tr("locationLabel")} ${lat.toFixed(5)}, ${lng.toFixed(5)}`);
    link.href = `https://www.openstreetmap.org/?mlat=${lat}&mlon=${lng}#map=16/${lat}/${lng}`;
    link.target = "_blank";
    link.rel = "noopener noreferrer";
    link.title = tr("openMap");
    bubble.append(link);
  }
  if (message.fileName) bubble.append(element("p", "file", tr("fileLabel", { name: message.fileName })));
  item.append(bubble);
  if (message.buttons.length > 0) {
    const keyboard = element("div", "keyboard");
    for (const row of message.buttons) {
      const line = element("div", "key-row");
      for (const button of row) {
        const key = element("button", button.opensPrivate ? "key opens-private" : "key", button.label);
        key.type = "button";
        key.addEventListener("click", () => press(paneName, button, keyboard));
        line.append(key);
      }
      keyboard.append(line);
    }
    item.append(keyboard);
  }
  const time = element("time", "at", formatTime(message.at));
  time.dateTime = message.at;
  item.append(time);
  return item;
}

// ---------- sending ----------

function newEventId() {
  if (typeof crypto.randomUUID === "function") return crypto.randomUUID();
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** Posts one event; a network failure is retried with the same id, so the server counts it once. */
async function sendEvent(chat, input) {
  if (!state.me) return undefined;
  const body = JSON.stringify({ eventId: newEventId(), userId: state.me.id, chat, input });
  for (let attempt = 1; ; attempt++) {
    let response;
    try {
      response = await fetch("/api/events", {
        method: "POST",
        headers: { "content-type": "application/json" },
        body,
      });
    } catch {
      if (attempt >= 3) {
        toast(tr("offline"));
        return undefined;
      }
      await sleep(700 * attempt);
      continue;
    }
    const answer = await response.json().catch(() => ({}));
    if (response.status === 404 && answer.error === "unknown_member") {
      toast(tr("unknownMember"));
      showPicker();
      return undefined;
    }
    if (response.status === 413) {
      toast(tr("tooBig"));
      return undefined;
    }
    if (!response.ok) {
      toast(tr("failed"));
      return undefined;
    }
    return answer;
  }
}

async function press(paneName, button, keyboard) {
  const chat = button.opensPrivate ? "private" : paneName;
  const keys = keyboard.querySelectorAll("button");
  for (const key of keys) key.disabled = true;
  try {
    const answer = await sendEvent(chat, { type: "button", data: button.data });
    if (answer?.notice) toast(answer.notice);
    if (chat === "private" && paneName !== "private")
      panes.private.root.scrollIntoView({ behavior: "smooth", block: "start" });
  } finally {
    for (const key of keys) key.disabled = false;
  }
}

function inputOfText(text) {
  const command = /^\/([a-z]+)(?:@\S+)?(?:\s+([\s\S]*))?$/.exec(text);
  if (command && COMMANDS.includes(command[1])) {
    const args = command[2]?.trim();
    return args
      ? { type: "command", command: command[1], args: args.slice(0, 256) }
      : { type: "command", command: command[1] };
  }
  return { type: "text", text };
}

async function sendText(event) {
  event.preventDefault();
  const box = $("text-input");
  const text = box.value.trim();
  if (!text) return;
  box.value = "";
  const answer = await sendEvent("private", inputOfText(text));
  if (!answer) box.value = text;
  box.focus();
}

async function sendPhoto() {
  const picker = $("photo-input");
  const file = picker.files?.[0];
  picker.value = "";
  if (!file || !state.me) return;
  if (!PHOTO_TYPES.includes(file.type)) return toast(tr("notImage"));
  if (file.size > MAX_PHOTO_BYTES) return toast(tr("tooBig"));
  const response = await fetch(`/api/upload?member=${encodeURIComponent(state.me.id)}`, {
    method: "POST",
    headers: { "content-type": file.type },
    body: file,
  }).catch(() => undefined);
  if (!response) return toast(tr("offline"));
  if (response.status === 413) return toast(tr("tooBig"));
  if (response.status === 415) return toast(tr("notImage"));
  if (!response.ok) return toast(tr("failed"));
  const { fileRef } = await response.json();
  const box = $("text-input");
  const caption = box.value.trim();
  box.value = "";
  await sendEvent("private", caption ? { type: "photo", fileRef, caption } : { type: "photo", fileRef });
}

function currentPoint() {
  return new Promise((resolve) => {
    if (!navigator.geolocation) return resolve(undefined);
    navigator.geolocation.getCurrentPosition(
      (position) => resolve({ lat: position.coords.latitude, lng: position.coords.longitude }),
      () => resolve(undefined),
      { timeout: 8000, maximumAge: 60_000 },
    );
  });
}

async function sendLocation() {
  const button = $("location-button");
  button.disabled = true;
  try {
    let point = await currentPoint();
    if (!point) {
      toast(tr("demoLocation"), 3500);
      point = DEMO_POINT;
    }
    await sendEvent("private", { type: "location", lat: point.lat, lng: point.lng });
  } finally {
    button.disabled = false;
  }
}

async function sendCsv() {
  const picker = $("csv-input");
  const file = picker.files?.[0];
  picker.value = "";
  if (!file) return;
  if (file.size > MAX_CSV_BYTES) return toast(tr("tooBig"));
  const content = await file.text();
  await sendEvent("private", { type: "file", fileName: file.name.slice(0, 256), content });
}

// ---------- setting up a village ----------

const SETUP_ERRORS = {
  name_invalid: "setupNameInvalid",
  code_invalid: "setupCodeInvalid",
  code_taken: "setupCodeTaken",
};

async function setUpVillage(event) {
  event.preventDefault();
  const form = event.currentTarget;
  const error = $("setup-error");
  const fields = new FormData(form);
  const value = (name) => String(fields.get(name) ?? "").trim();
  const body = {
    townName: value("townName"),
    villageName: value("villageName"),
    code: value("code").toUpperCase(),
    name: value("name"),
    language: state.language,
  };
  if (!body.townName || !body.villageName || !body.name) {
    error.textContent = tr("setupNameInvalid");
    return;
  }
  if (!/^[A-Z]{2,4}$/.test(body.code)) {
    error.textContent = tr("setupCodeInvalid");
    return;
  }
  const submit = form.querySelector("button[type=submit]");
  submit.disabled = true;
  try {
    const response = await fetch("/api/setup", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(body),
    }).catch(() => undefined);
    if (!response) {
      error.textContent = tr("offline");
      return;
    }
    const answer = await response.json().catch(() => ({}));
    if (!response.ok) {
      const key = SETUP_ERRORS[answer.error];
      error.textContent = key ? tr(key, answer.params ?? {}) : tr("failed");
      return;
    }
    error.textContent = "";
    form.reset();
    await loadPeople();
    choose(answer.member.id);
  } finally {
    submit.disabled = false;
  }
}

// ---------- start ----------

function switchLanguage() {
  state.language = state.language === "zh-CN" ? "en" : "zh-CN";
  localStorage.setItem("shangliang.language", state.language);
  applyText();
}

async function boot() {
  $("switch-language").addEventListener("click", switchLanguage);
  $("switch-person").addEventListener("click", showPicker);
  $("composer").addEventListener("submit", sendText);
  $("photo-button").addEventListener("click", () => $("photo-input").click());
  $("photo-input").addEventListener("change", sendPhoto);
  $("location-button").addEventListener("click", sendLocation);
  $("csv-button").addEventListener("click", () => $("csv-input").click());
  $("csv-input").addEventListener("change", sendCsv);
  $("setup-form").addEventListener("submit", setUpVillage);
  applyText();
  try {
    await loadPeople();
  } catch {
    toast(tr("offline"), 5000);
  }
  const wanted =
    new URL(location.href).searchParams.get("member") ?? sessionStorage.getItem("shangliang.member");
  if (wanted && findPerson(wanted)) choose(wanted);
  else showPicker();
}

boot().catch(() => toast(tr("offline"), 5000));
