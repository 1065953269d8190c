// The local web chat page. Plain browser JavaScript, no build step.
// Everything a person typed or named is put on the page with textContent, never as HTML.

const TEXT = JSON.parse(document.getElementById("page-text").textContent);
/** What the server takes (place and person names, the code's length, free text, voice seconds). */
const LIMITS = TEXT.limits;
const LANGUAGES = ["zh-CN", "en"];
/** Any command name; the server decides which ones it knows. A Chinese keyboard's full-width ／ counts too. */
const COMMAND = /^[/／]([A-Za-z0-9_]{1,32})(?:@\S+)?(?:\s+([\s\S]*))?$/;
const MAX_COMMAND_ARGS = 256;
/** Used when the browser gives no location (denied, or a page not served over https). Dunhua, Jilin. */
const DEMO_POINT = { lat: 43.3725, lng: 128.2326 };
const PHOTO_TYPES = ["image/png", "image/jpeg", "image/gif", "image/webp"];
const MAX_UPLOAD_BYTES = 5 * 1024 * 1024;
const MAX_CSV_BYTES = 900 * 1024;
/** What MediaRecorder is asked for, best first: Chrome and Android make webm, Firefox ogg, Safari mp4. */
const VOICE_TYPES = [
  "audio/webm;codecs=opus",
  "audio/ogg;codecs=opus",
  "audio/webm",
  "audio/ogg",
  "audio/mp4",
];
/** Shorter than this is a slip of the finger, not a message. */
const MIN_VOICE_MS = 700;

const state = {
  language: LANGUAGES.includes(localStorage.getItem("shangliang.language"))
    ? localStorage.getItem("shangliang.language")
    : "zh-CN",
  villages: [],
  me: undefined,
  village: undefined,
  source: undefined,
  /** The voice message being recorded, if any. */
  take: undefined,
  /** Language changes sent to the bot and not yet answered: until then the page does not follow the server. */
  languagePending: 0,
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
  for (const node of document.querySelectorAll("[data-limit-hint]"))
    node.textContent = tr("limitHint", { max: LIMITS[node.dataset.limitHint] });
  $("code-hint").textContent = tr("codeHint", { range: LIMITS.code });
  renderVillages();
  renderWho();
  renderCounter();
  renderRecording();
}

/** Switches the page's own text; remembered for the next visit. */
function setLanguage(language) {
  if (!LANGUAGES.includes(language) || language === state.language) return;
  state.language = language;
  localStorage.setItem("shangliang.language", language);
  applyText();
}

/** The server says which language the bot speaks to this person; the page follows (unless a change is on its way). */
function followBot(language) {
  if (state.languagePending === 0) setLanguage(language);
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
  stopVoice(false);
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
  stopVoice(false);
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
  $("group-error").hidden = true;
  renderWho();
  renderCounter();
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
  if (history.language) followBot(history.language);
  for (const message of history.private) addMessage("private", message);
  for (const message of history.group) addMessage("group", message);
}

function addMessage(paneName, message) {
  const pane = panes[paneName];
  if (!pane) return;
  const shown = pane.shown.get(message.id);
  if (shown) {
    // The bot edited the message in place (a live count): show its latest content where it was.
    if (JSON.stringify(shown.message) === JSON.stringify(message)) return;
    const node = renderMessage(paneName, message);
    shown.node.replaceWith(node);
    pane.shown.set(message.id, { message, node });
    return;
  }
  const node = renderMessage(paneName, message);
  let next;
  for (const other of pane.shown.values()) {
    if (other.message.n > message.n && (!next || other.message.n < next.message.n)) next = other;
  }
  pane.shown.set(message.id, { message, node });
  pane.list.insertBefore(node, next ? next.node : null);
  toBottom(pane);
  if (paneName === "private" && message.from === "bot") renderCounter();
}

function formatTime(at) {
  const date = new Date(at);
  return Number.isNaN(date.getTime())
    ? ""
    : date.toLocaleTimeString(state.language, { hour: "2-digit", minute: "2-digit" });
}

function renderMessage(paneName, message) {
  // A person's message is "mine" unless it names someone else as its sender (others' commands in the group).
  const other = message.from === "person" && message.sender && message.sender.id !== state.me?.id;
  const item = element("li", `message from-${other ? "other" : message.from}`);
  const bubble = element("div", "bubble");
  if (paneName === "group" && message.from === "bot") bubble.append(element("span", "sender", tr("bot")));
  if (other) bubble.append(element("span", "sender", message.sender.name));
  if (message.text) bubble.append(element("p", "text", message.text));
  for (const photo of message.photos ?? []) {
    const image = element("img", "photo");
    image.src = `/uploads/${encodeURIComponent(photo)}`;
    image.alt = tr("photoAlt");
    bubble.append(image);
  }
  for (const voice of message.voices ?? []) {
    const audio = element("audio", "voice", tr("voiceLabel"));
    audio.controls = true;
    audio.preload = "none";
    audio.src = `/uploads/${encodeURIComponent(voice)}`;
    audio.setAttribute("aria-label", tr("voiceLabel"));
    bubble.append(audio);
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
    if (answer.language) followBot(answer.language);
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

/** "/stats", "/help DF-2026-0001": a command; undefined for anything else. */
function commandOf(text) {
  const match = COMMAND.exec(text);
  if (!match) return undefined;
  const command = match[1].toLowerCase();
  const args = match[2]?.trim();
  return args
    ? { type: "command", command, args: args.slice(0, MAX_COMMAND_ARGS) }
    : { type: "command", command };
}

function inputOfText(text) {
  return commandOf(text) ?? { type: "text", text };
}

// ---------- the private text box and its counter ----------

/** The most characters the bot takes now: what its newest message in the private chat says, else the default. */
function textLimit() {
  let newest;
  for (const { message } of panes.private.shown.values()) {
    if (message.from === "bot" && (!newest || message.n > newest.n)) newest = message;
  }
  return newest?.inputMax ?? LIMITS.text;
}

/** Characters over the limit in the text box (0 when it fits). Counted as the server counts them. */
function textOver() {
  return Math.max(0, $("text-input").value.trim().length - textLimit());
}

function renderCounter() {
  const box = $("text-input");
  const count = box.value.trim().length;
  const over = textOver();
  const counter = $("text-count");
  counter.textContent = tr("textCount", { count, max: textLimit() });
  counter.classList.toggle("over", over > 0);
  $("text-over").textContent = over > 0 ? tr("textOver", { over }) : "";
  box.classList.toggle("over", over > 0);
  box.setAttribute("aria-invalid", over > 0 ? "true" : "false");
  $("send-button").disabled = over > 0;
}

async function sendText(event) {
  event.preventDefault();
  const box = $("text-input");
  const text = box.value.trim();
  if (!text) return;
  if (textOver() > 0) {
    renderCounter();
    return;
  }
  box.value = "";
  renderCounter();
  const answer = await sendEvent("private", inputOfText(text));
  if (!answer && !box.value) box.value = text;
  renderCounter();
  box.focus();
}

// ---------- the group's command box ----------

function groupError(text) {
  const box = $("group-error");
  box.textContent = text ?? "";
  box.hidden = text === undefined;
}

async function sendGroup(input, busy) {
  for (const node of busy) node.disabled = true;
  try {
    const answer = await sendEvent("group", input);
    if (answer?.notice) toast(answer.notice);
    return answer;
  } finally {
    for (const node of busy) node.disabled = false;
  }
}

async function sendGroupText(event) {
  event.preventDefault();
  const box = $("group-input");
  const text = box.value.trim();
  if (!text) return;
  const input = commandOf(text);
  if (!input) {
    groupError(tr("groupOnlyCommands"));
    return;
  }
  groupError(undefined);
  box.value = "";
  const answer = await sendGroup(input, event.currentTarget.querySelectorAll("button"));
  if (!answer && !box.value) box.value = text;
}

async function sendGroupCommand(event) {
  groupError(undefined);
  const form = $("group-composer");
  await sendGroup(
    { type: "command", command: event.currentTarget.dataset.command },
    form.querySelectorAll("button"),
  );
}

// ---------- uploads ----------

/** Posts bytes to /api/upload; the fileRef, or undefined after saying what went wrong. */
async function upload(body, contentType, refusedKey) {
  const response = await fetch(`/api/upload?member=${encodeURIComponent(state.me.id)}`, {
    method: "POST",
    headers: { "content-type": contentType },
    body,
  }).catch(() => undefined);
  if (!response) return toast(tr("offline"));
  if (response.status === 413) return toast(tr("tooBig"));
  if (response.status === 415) return toast(tr(refusedKey), 4000);
  if (response.status === 404) {
    toast(tr("unknownMember"));
    return showPicker();
  }
  if (!response.ok) return toast(tr("failed"));
  const answer = await response.json().catch(() => ({}));
  if (typeof answer.fileRef !== "string") return toast(tr("failed"));
  return answer.fileRef;
}

async function sendPhoto() {
  const picker = $("photo-input");
  const file = picker.files?.[0];
  picker.value = "";
  if (!file || !state.me) return;
  if (!PHOTO_TYPES.includes(file.type)) return toast(tr("notImage"), 4000);
  if (file.size > MAX_UPLOAD_BYTES) return toast(tr("tooBig"));
  if (textOver() > 0) return toast(tr("textOver", { over: textOver() }), 4000);
  const fileRef = await upload(file, file.type, "notImage");
  if (!fileRef) return;
  const box = $("text-input");
  const caption = box.value.trim();
  box.value = "";
  renderCounter();
  await sendEvent("private", caption ? { type: "photo", fileRef, caption } : { type: "photo", fileRef });
}

// ---------- voice messages ----------

function stopTracks(stream) {
  for (const track of stream.getTracks()) track.stop();
}

function secondsOf(take) {
  return Math.floor(((take.stoppedAt ?? Date.now()) - take.startedAt) / 1000);
}

function renderRecording() {
  const take = state.take;
  const button = $("voice-button");
  button.classList.toggle("recording", take !== undefined);
  button.setAttribute("aria-pressed", take ? "true" : "false");
  button.textContent = take ? tr("recordingButton", { seconds: secondsOf(take) }) : tr("voice");
  $("recording").hidden = take === undefined;
  $("recording-time").textContent = take ? tr("recording", { max: LIMITS.voiceSeconds }) : "";
}

/** Why the microphone could not be used, as what to do instead. */
function microphoneProblem(error) {
  const name = error?.name;
  if (name === "NotAllowedError" || name === "SecurityError" || name === "PermissionDeniedError")
    return "micDenied";
  if (name === "NotFoundError" || name === "OverconstrainedError" || name === "NotReadableError")
    return "noMic";
  return "noRecorder";
}

/** 🎤: the first press starts recording, the next one stops it and sends. */
async function toggleVoice() {
  if (state.take) return stopVoice(true);
  if (!state.me) return;
  if (typeof MediaRecorder === "undefined" || !navigator.mediaDevices?.getUserMedia)
    return toast(tr("noRecorder"), 5000);
  const memberId = state.me.id;
  const button = $("voice-button");
  button.disabled = true;
  let stream;
  try {
    stream = await navigator.mediaDevices.getUserMedia({ audio: true });
  } catch (error) {
    return toast(tr(microphoneProblem(error)), 6000);
  } finally {
    button.disabled = false;
  }
  if (state.me?.id !== memberId || state.take) return stopTracks(stream);
  const mimeType = VOICE_TYPES.find((type) => MediaRecorder.isTypeSupported?.(type));
  let recorder;
  try {
    recorder = new MediaRecorder(stream, mimeType ? { mimeType } : undefined);
  } catch {
    stopTracks(stream);
    return toast(tr("noRecorder"), 5000);
  }
  const take = { recorder, stream, memberId, chunks: [], startedAt: Date.now(), send: true, full: false };
  recorder.addEventListener("dataavailable", (event) => {
    if (event.data && event.data.size > 0) take.chunks.push(event.data);
  });
  recorder.addEventListener("stop", () => {
    finishVoice(take).catch(() => toast(tr("voiceFailed"), 4000));
  });
  recorder.addEventListener("error", () => {
    if (state.take === take) stopVoice(false);
    toast(tr("voiceFailed"), 4000);
  });
  try {
    recorder.start();
  } catch {
    stopTracks(stream);
    return toast(tr("noRecorder"), 5000);
  }
  take.timer = setInterval(() => {
    if (secondsOf(take) >= LIMITS.voiceSeconds) {
      take.full = true;
      stopVoice(true);
    } else renderRecording();
  }, 250);
  state.take = take;
  renderRecording();
}

/** Ends the recording; it is sent when `send`, thrown away otherwise (cancel, another person chosen). */
function stopVoice(send) {
  const take = state.take;
  if (!take) return;
  state.take = undefined;
  clearInterval(take.timer);
  take.send = send;
  take.stoppedAt = Date.now();
  if (take.recorder.state !== "inactive") take.recorder.stop();
  else stopTracks(take.stream);
  renderRecording();
}

async function finishVoice(take) {
  stopTracks(take.stream);
  if (!take.send || state.me?.id !== take.memberId) return;
  if (take.stoppedAt - take.startedAt < MIN_VOICE_MS || take.chunks.length === 0)
    return toast(tr("voiceTooShort"), 4000);
  const type = take.recorder.mimeType || take.chunks[0].type || "audio/webm";
  const blob = new Blob(take.chunks, { type });
  if (blob.size > MAX_UPLOAD_BYTES) return toast(tr("tooBig"));
  const contentType = type.split(";")[0].trim().toLowerCase();
  const fileRef = await upload(blob, contentType, "voiceFailed");
  if (!fileRef) return;
  const answer = await sendEvent("private", { type: "voice", fileRef });
  if (answer && take.full) toast(tr("voiceMaxReached", { max: LIMITS.voiceSeconds }), 4000);
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

function setupParams() {
  return { place: LIMITS.placeName, person: LIMITS.personName, range: LIMITS.code };
}

/** "2-4" → two to four capital letters. */
function codePattern() {
  const [least, most] = String(LIMITS.code).split("-");
  return new RegExp(`^[A-Z]{${Number(least)},${Number(most ?? least)}}$`);
}

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
  const fits = (text, max) => text !== "" && text.length <= max;
  if (
    !fits(body.townName, LIMITS.placeName) ||
    !fits(body.villageName, LIMITS.placeName) ||
    !fits(body.name, LIMITS.personName)
  ) {
    error.textContent = tr("setupNameInvalid", setupParams());
    return;
  }
  if (!codePattern().test(body.code)) {
    error.textContent = tr("setupCodeInvalid", setupParams());
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
      error.textContent = key ? tr(key, { ...setupParams(), ...(answer.params ?? {}) }) : tr("failed");
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

/**
 * The page's language button. With a person chosen it also tells the bot (the same as its own 语言 button),
 * so the page and the bot speak one language; the bot's answer says which one it now speaks.
 */
async function switchLanguage() {
  const next = state.language === "zh-CN" ? "en" : "zh-CN";
  setLanguage(next);
  if (!state.me) return;
  const button = $("switch-language");
  button.disabled = true;
  state.languagePending++;
  let answer;
  try {
    answer = await sendEvent("private", { type: "button", data: `l:${next}` });
  } finally {
    state.languagePending--;
    button.disabled = false;
  }
  if (answer?.language) followBot(answer.language);
}

/** The setup form's maxlength, only where it is exactly what the server takes. */
function applyLimits() {
  for (const node of document.querySelectorAll("input[data-limit]"))
    node.maxLength = LIMITS[node.dataset.limit];
}

async function boot() {
  $("switch-language").addEventListener("click", switchLanguage);
  $("switch-person").addEventListener("click", showPicker);
  $("composer").addEventListener("submit", sendText);
  $("text-input").addEventListener("input", renderCounter);
  $("photo-button").addEventListener("click", () => $("photo-input").click());
  $("photo-input").addEventListener("change", sendPhoto);
  $("voice-button").addEventListener("click", toggleVoice);
  $("voice-stop").addEventListener("click", () => stopVoice(true));
  $("voice-cancel").addEventListener("click", () => stopVoice(false));
  $("group-composer").addEventListener("submit", sendGroupText);
  $("group-input").addEventListener("input", () => groupError(undefined));
  for (const button of document.querySelectorAll("#group-composer [data-command]"))
    button.addEventListener("click", sendGroupCommand);
  $("location-button").addEventListener("click", sendLocation);
  $("csv-button").addEventListener("click", () => $("csv-input").click());
  $("csv-input").addEventListener("change", sendCsv);
  $("setup-form").addEventListener("submit", setUpVillage);
  applyLimits();
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
