// The simulator page: a resident's side of a LINE chat with the bot.
//
// What the resident does goes to /dev/chat/api/send, which signs a real webhook event
// and posts it to the bot's /callback.  What the bot sends through the (local)
// Messaging API comes back from /dev/chat/api/messages (a long poll) and is drawn by
// render.js.  Bot and resident text is only ever set with textContent.

import { ICONS, el, isCard, remoteImage, renderMessage, safeUrl, stickerArt, svg } from "./render.js";

const USER_KEY = "tsunagu-simulator-user";
const USER_ID = /^U[0-9a-f]{32}$/;
const TYPING_MAX_MS = 20000;
const WEEKDAYS = ["日", "月", "火", "水", "木", "金", "土"];

const $ = (selector) => document.querySelector(selector);
const dom = {
  chat: $("#chat"),
  quick: $("#quick-replies"),
  input: $("#input"),
  send: $("#send"),
  plus: $("#plus"),
  tray: $("#tray"),
  follow: $("#follow"),
  reset: $("#reset"),
  userId: $("#user-id"),
  picker: $("#picker"),
  pickerTitle: $("#picker-title"),
  pickerInput: $("#picker-input"),
  pickerOk: $("#picker-ok"),
  pickerCancel: $("#picker-cancel"),
  status: $("#status"),
};
const accountName = document.body.dataset.accountName || "つなぐ";

const state = {
  userId: "",
  lastSeq: 0,
  loadingSeen: 0,
  generation: 0,
  poll: null, // AbortController of the running long poll
  lastDay: "",
  lastSide: "",
  typing: null,
  typingTimer: 0,
  sending: Promise.resolve(),
  pickerAction: null,
};

// -- helpers ----------------------------------------------------------------------------
function newUserId() {
  const bytes = new Uint8Array(16);
  crypto.getRandomValues(bytes);
  return "U" + Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
}

function pad(n) {
  return String(n).padStart(2, "0");
}

function clock(at) {
  const d = new Date(at * 1000);
  return `${pad(d.getHours())}:${pad(d.getMinutes())}`;
}

function dayLabel(at) {
  const d = new Date(at * 1000);
  const today = new Date();
  if (d.toDateString() === today.toDateString()) return "今日";
  return `${d.getMonth() + 1}/${d.getDate()}(${WEEKDAYS[d.getDay()]})`;
}

function nearBottom() {
  return dom.chat.scrollHeight - dom.chat.scrollTop - dom.chat.clientHeight < 120;
}

function scrollToBottom(force = false) {
  if (!force && !nearBottom()) return;
  requestAnimationFrame(() => {
    const smooth = !window.matchMedia("(prefers-reduced-motion: reduce)").matches;
    dom.chat.scrollTo({ top: dom.chat.scrollHeight, behavior: smooth ? "smooth" : "auto" });
  });
}

function dayChip(at) {
  const label = dayLabel(at);
  if (label === state.lastDay) return;
  state.lastDay = label;
  const row = el("div", "day-chip");
  row.append(el("span", null, label));
  dom.chat.append(row);
  state.lastSide = "";
}

function note(text, kind = "") {
  const row = el("div", `sim-note ${kind}`);
  row.append(el("span", null, text));
  dom.chat.append(row);
  state.lastSide = "";
  scrollToBottom(true);
  return row;
}

function setStatus(text) {
  dom.status.textContent = text;
  dom.status.hidden = !text;
}

// -- the bot's side -----------------------------------------------------------------------
function botRow(at, message) {
  hideTyping();
  dayChip(at);
  const first = state.lastSide !== "bot";
  state.lastSide = "bot";
  const row = el("div", `row bot${first ? " first" : ""}`);
  const avatar = el("div", "avatar", first ? "つ" : "");
  if (!first) avatar.classList.add("spacer");
  row.append(avatar);
  const column = el("div", "column");
  if (first) column.append(el("div", "name", accountName));
  const line = el("div", "line");
  const body = renderMessage(message, perform);
  if (isCard(message)) line.classList.add("card");
  if (body.classList.contains("carousel") || body.querySelector(":scope > .carousel")) {
    line.classList.add("carousel-line");
  }
  line.append(body);
  const meta = el("div", "meta");
  meta.append(el("time", null, clock(at)));
  line.append(meta);
  column.append(line);
  row.append(column);
  dom.chat.append(row);
  return row;
}

function showDelivery(delivery) {
  for (const message of delivery.messages || []) botRow(delivery.at, message);
  state.lastSeq = Math.max(state.lastSeq, delivery.seq);
  // LINE shows quick replies only while their message is the last one in the chat.
  const last = (delivery.messages || []).at(-1);
  showQuickReplies(last && last.quickReply ? last.quickReply.items || [] : []);
}

function showTyping() {
  hideTyping();
  state.lastSide = "";
  const row = el("div", "row bot first typing");
  row.append(el("div", "avatar", "つ"));
  const column = el("div", "column");
  const bubble = el("div", "bubble text dots");
  bubble.setAttribute("aria-label", "入力中");
  for (let i = 0; i < 3; i += 1) bubble.append(el("i"));
  column.append(bubble);
  row.append(column);
  dom.chat.append(row);
  state.typing = row;
  state.typingTimer = window.setTimeout(hideTyping, TYPING_MAX_MS);
  scrollToBottom(true);
}

function hideTyping() {
  if (state.typing) {
    state.typing.remove();
    state.typing = null;
    state.lastSide = "";
  }
  window.clearTimeout(state.typingTimer);
}

// -- quick replies --------------------------------------------------------------------------
function showQuickReplies(items) {
  dom.quick.replaceChildren();
  for (const item of items) {
    const action = item && item.action;
    if (!action) continue;
    const button = el("button", "pill");
    button.type = "button";
    const icon = remoteImage(item.imageUrl);
    if (icon) {
      button.append(icon);
    } else if (action.type === "datetimepicker") {
      button.append(svg(action.mode === "time" ? ICONS.clock : ICONS.calendar, { className: "icon inline" }));
    } else if (action.type === "camera" || action.type === "cameraRoll") {
      button.append(svg(ICONS.photo, { className: "icon inline" }));
    } else if (action.type === "location") {
      button.append(svg(ICONS.pin, { className: "icon inline" }));
    }
    button.append(el("span", null, action.label || action.text || ""));
    button.addEventListener("click", () => perform(action, button));
    dom.quick.append(button);
  }
  dom.quick.hidden = dom.quick.childElementCount === 0;
  dom.quick.scrollLeft = 0;
  scrollToBottom(true);
}

// -- the resident's side ------------------------------------------------------------------
function myRow(at, content, { card = false } = {}) {
  dayChip(at);
  state.lastSide = "me";
  const row = el("div", "row me");
  const line = el("div", "line");
  if (card) line.classList.add("card");
  const meta = el("div", "meta");
  const read = el("span", "read", "");
  meta.append(read, el("time", null, clock(at)));
  line.append(meta, content);
  row.append(line);
  dom.chat.append(row);
  scrollToBottom(true);
  return {
    row,
    delivered() {
      read.textContent = "既読";
      row.classList.remove("pending");
    },
    failed(reason) {
      row.classList.remove("pending");
      row.classList.add("failed");
      read.textContent = "未送信";
      row.title = reason;
    },
  };
}

function myContent(kind, text) {
  if (kind === "sticker") {
    const node = el("div", "sticker");
    node.append(stickerArt());
    return { node, card: true };
  }
  if (kind === "image") {
    const node = el("div", "media-card mine");
    node.append(svg(ICONS.photo, { className: "icon big" }));
    node.append(el("div", "media-label", "写真（ダミー画像）"));
    return { node, card: true };
  }
  const node = el("div", "bubble text");
  node.textContent = text;
  return { node, card: false };
}

function echo(kind, text, at) {
  const { node, card } = myContent(kind, text);
  const handle = myRow(at, node, { card });
  handle.row.classList.add("pending");
  return handle;
}

async function post(payload) {
  const response = await fetch("/dev/chat/api/send", {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify({ user_id: state.userId, ...payload }),
  });
  if (!response.ok) {
    let detail = `${response.status}`;
    try {
      const body = await response.json();
      detail = typeof body.detail === "string" ? body.detail : JSON.stringify(body.detail);
    } catch {
      /* keep the status */
    }
    throw new Error(detail);
  }
  return response.json();
}

/** Send one resident action, in order with the others; ``shown`` is what LINE would draw. */
function send(payload, shown) {
  showQuickReplies([]);
  const generation = state.generation;
  const now = Date.now() / 1000;
  const handle = shown ? echo(shown.kind, shown.text, now) : null;
  state.sending = state.sending.then(async () => {
    if (generation !== state.generation) return;
    try {
      await post(payload);
      if (handle) handle.delivered();
    } catch (error) {
      if (handle) handle.failed(String(error.message || error));
      note(`送信できませんでした: ${error.message || error}`, "error");
    }
  });
  return state.sending;
}

function sendText(text) {
  if (!text.trim()) return Promise.resolve();
  return send({ kind: "text", text }, { kind: "text", text });
}

function follow({ unblocked = false } = {}) {
  note("友だち追加しました（follow イベントを送信）");
  return send({ kind: "follow", unblocked });
}

// -- actions: what tapping does on LINE -------------------------------------------------------
function perform(action) {
  if (!action || typeof action !== "object") return;
  switch (action.type) {
    case "message":
      sendText(String(action.text ?? action.label ?? ""));
      break;
    case "postback": {
      const shown = action.displayText ?? action.text;
      send(
        { kind: "postback", data: String(action.data ?? ""), display_text: shown ?? null },
        shown ? { kind: "text", text: String(shown) } : null,
      );
      if (action.inputOption === "openKeyboard") {
        dom.input.value = action.fillInText || "";
        dom.input.focus();
        autoGrow();
      }
      break;
    }
    case "datetimepicker":
      openPicker(action);
      break;
    case "uri": {
      const url = safeUrl(action.uri, { allowTel: true });
      if (url) window.open(url, "_blank", "noopener,noreferrer");
      else note(`開けないリンクです: ${action.uri}`, "error");
      break;
    }
    case "camera":
    case "cameraRoll":
      sendMedia("image");
      break;
    case "clipboard":
      navigator.clipboard?.writeText(String(action.clipboardText || "")).then(
        () => note("クリップボードにコピーしました"),
        () => note("コピーできませんでした", "error"),
      );
      break;
    default:
      note(`シミュレーターでは「${action.type}」アクションは使えません`, "error");
  }
}

function sendMedia(kind) {
  dom.tray.hidden = true;
  dom.plus.setAttribute("aria-expanded", "false");
  return send({ kind }, { kind, text: null });
}

// -- date/time picker ---------------------------------------------------------------------------
const PICKER = {
  date: { type: "date", length: 10, pattern: /^\d{4}-\d{2}-\d{2}$/, param: "date", title: "日付を選択" },
  time: { type: "time", length: 5, pattern: /^\d{2}:\d{2}$/, param: "time", title: "時刻を選択" },
  datetime: { type: "datetime-local", length: 16, pattern: /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}$/, param: "datetime", title: "日時を選択" },
};

function lineValue(value) {
  // LINE writes datetimes as 2017-12-25t01:00 or 2017-12-25T01:00; inputs want "T".
  return typeof value === "string" ? value.replace("t", "T") : "";
}

function nowFor(mode) {
  const d = new Date();
  const date = `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}`;
  const time = `${pad(d.getHours())}:${pad(d.getMinutes())}`;
  return { date, time, datetime: `${date}T${time}` }[mode];
}

function openPicker(action) {
  const spec = PICKER[action.mode];
  if (!spec) {
    note(`不明な datetimepicker の mode: ${action.mode}`, "error");
    return;
  }
  state.pickerAction = action;
  const input = dom.pickerInput;
  input.type = spec.type;
  input.min = lineValue(action.min);
  input.max = lineValue(action.max);
  input.value = lineValue(action.initial) || nowFor(action.mode);
  dom.pickerTitle.textContent = action.label || spec.title;
  dom.picker.dataset.mode = action.mode;
  dom.picker.showModal();
  input.focus();
}

function confirmPicker() {
  const action = state.pickerAction;
  const spec = action && PICKER[action.mode];
  if (!spec) return;
  const value = dom.pickerInput.value.slice(0, spec.length);
  if (!spec.pattern.test(value) || !dom.pickerInput.checkValidity()) {
    dom.pickerInput.reportValidity();
    return;
  }
  dom.picker.close();
  state.pickerAction = null;
  // LINE shows no bubble for a picker; a simulator note says what was sent.
  note(`${spec.title}: ${value}`);
  send({ kind: "postback", data: String(action.data ?? ""), params: { [spec.param]: value } }, null);
}

// -- receiving: long poll ---------------------------------------------------------------------------
async function pollLoop(generation) {
  let failures = 0;
  while (generation === state.generation) {
    const controller = new AbortController();
    state.poll = controller;
    const query = new URLSearchParams({
      user_id: state.userId,
      after: String(state.lastSeq),
      loading: String(state.loadingSeen),
    });
    try {
      const response = await fetch(`/dev/chat/api/messages?${query}`, { signal: controller.signal });
      if (!response.ok) throw new Error(`HTTP ${response.status}`);
      const body = await response.json();
      if (generation !== state.generation) return;
      failures = 0;
      setStatus("");
      const loadingNow = Number(body.loading) || 0;
      const deliveries = body.deliveries || [];
      if (loadingNow > state.loadingSeen && deliveries.length === 0) showTyping();
      state.loadingSeen = loadingNow;
      if (deliveries.length) {
        for (const delivery of deliveries) showDelivery(delivery);
        scrollToBottom(true);
      }
    } catch (error) {
      if (controller.signal.aborted || generation !== state.generation) return;
      failures += 1;
      setStatus("ボットに接続できません。再接続しています…");
      await new Promise((resolve) => setTimeout(resolve, Math.min(5000, 400 * failures)));
    }
  }
}

function startPolling() {
  state.generation += 1;
  if (state.poll) state.poll.abort();
  pollLoop(state.generation);
}

// -- start, restore, reset ----------------------------------------------------------------------------
function clearChat() {
  dom.chat.replaceChildren();
  showQuickReplies([]);
  hideTyping();
  state.lastSeq = 0;
  state.loadingSeen = 0;
  state.lastDay = "";
  state.lastSide = "";
}

function adopt(userId) {
  state.userId = userId;
  localStorage.setItem(USER_KEY, userId);
  dom.userId.textContent = `userId ${userId.slice(0, 9)}…`;
  dom.userId.title = userId;
  document.body.dataset.userId = userId;
}

async function restore(userId) {
  const response = await fetch(`/dev/chat/api/history?${new URLSearchParams({ user_id: userId })}`);
  if (!response.ok) return false;
  const history = await response.json();
  if (!history.sent || history.sent.length === 0) return false;
  const timeline = [
    ...history.sent.map((entry) => ({ at: entry.at, mine: entry })),
    ...history.deliveries.map((delivery) => ({ at: delivery.at, delivery })),
  ].sort((a, b) => a.at - b.at);
  for (const item of timeline) {
    if (item.delivery) {
      showDelivery(item.delivery);
    } else if (item.mine.kind === "follow") {
      note("友だち追加しました（follow イベントを送信）");
    } else if (item.mine.kind === "postback" && item.mine.params) {
      const [key, value] = Object.entries(item.mine.params)[0] || [];
      if (key) note(`${PICKER[key] ? PICKER[key].title : key}: ${value}`);
    } else if (item.mine.text || item.mine.kind === "sticker" || item.mine.kind === "image") {
      showQuickReplies([]);
      echo(item.mine.kind, item.mine.text, item.at).delivered();
    }
  }
  state.loadingSeen = Number(history.loading) || 0;
  scrollToBottom(true);
  return true;
}

async function startFresh() {
  clearChat();
  adopt(newUserId());
  startPolling();
  await follow();
}

async function start() {
  const saved = localStorage.getItem(USER_KEY);
  if (saved && USER_ID.test(saved)) {
    adopt(saved);
    try {
      if (await restore(saved)) {
        startPolling();
        return;
      }
    } catch {
      /* the server restarted: start over below */
    }
  }
  await startFresh();
}

// -- composer ----------------------------------------------------------------------------------------
function autoGrow() {
  dom.input.style.height = "auto";
  dom.input.style.height = `${Math.min(dom.input.scrollHeight, 120)}px`;
  dom.send.disabled = !dom.input.value.trim();
  dom.send.classList.toggle("ready", !dom.send.disabled);
}

function submit() {
  const text = dom.input.value;
  if (!text.trim()) return;
  dom.input.value = "";
  autoGrow();
  sendText(text);
  dom.input.focus();
}

dom.input.addEventListener("input", autoGrow);
dom.input.addEventListener("keydown", (event) => {
  // Enter sends, Shift+Enter breaks the line; never while an IME is composing
  // (isComposing, and keyCode 229 for browsers that end composition first).
  if (event.key !== "Enter" || event.shiftKey) return;
  if (event.isComposing || event.keyCode === 229) return;
  event.preventDefault();
  submit();
});
dom.send.addEventListener("click", submit);
dom.plus.addEventListener("click", () => {
  dom.tray.hidden = !dom.tray.hidden;
  dom.plus.setAttribute("aria-expanded", String(!dom.tray.hidden));
});
for (const button of dom.tray.querySelectorAll("[data-send]")) {
  button.addEventListener("click", () => sendMedia(button.dataset.send));
}
dom.follow.addEventListener("click", () => follow());
dom.reset.addEventListener("click", () => startFresh());
dom.pickerOk.addEventListener("click", (event) => {
  event.preventDefault();
  confirmPicker();
});
dom.pickerCancel.addEventListener("click", (event) => {
  event.preventDefault();
  state.pickerAction = null;
  dom.picker.close();
});
dom.pickerInput.addEventListener("keydown", (event) => {
  if (event.key === "Enter" && !event.isComposing) {
    event.preventDefault();
    confirmPicker();
  }
});

autoGrow();
start();
