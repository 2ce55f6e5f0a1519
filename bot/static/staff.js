// The staff pages' only script (CSP: script-src 'self'). Live refreshes change only what
// changed and keep focus; new cases and resident messages are announced once; drafts
// survive a lapsed session; the session warns before it ends.
(function () {
  "use strict";
  var body = document.body;
  var csrf = body.getAttribute("data-csrf") || "";
  var POLL = { "X-Staff-Poll": "1" };
  var live = document.getElementById("live-polite");
  var ended = false;

  function announce(text) {
    if (!live || !text) return;
    live.textContent = "";
    window.setTimeout(function () { live.textContent = text; }, 50);
  }

  function format(template, values) {
    return template.replace(/\{(\w+)\}/g, function (_, key) { return values[key] !== undefined ? values[key] : ""; });
  }

  // ---- session: warning, renewal by activity, expiry --------------------------------------
  var warning = document.getElementById("session-warning");
  var sessionLeft = parseInt(body.getAttribute("data-session-left") || "0", 10);
  var sessionMark = Date.now();
  var lastExtend = Date.now();
  var WARN_BEFORE_S = 300;

  function secondsLeft() { return sessionLeft - Math.round((Date.now() - sessionMark) / 1000); }

  function sessionEnded() {
    if (ended || !warning) return;
    ended = true;
    var text = document.getElementById("session-warning-text");
    text.textContent = text.getAttribute("data-ended");
    document.getElementById("session-continue").hidden = true;
    var login = document.getElementById("session-login");
    login.href = "/login?next=" + encodeURIComponent(location.pathname + location.search);
    login.hidden = false;
    warning.hidden = false;
    login.focus();
  }

  function extend(quiet) {
    lastExtend = Date.now();
    return fetch("/session/extend", { method: "POST", credentials: "same-origin", headers: { "X-CSRF-Token": csrf } })
      .then(function (r) {
        if (r.status === 401) { sessionEnded(); return; }
        return r.json().then(function (data) {
          sessionLeft = data.expires_in; sessionMark = Date.now();
          if (warning && !quiet) { warning.hidden = true; }
        });
      }).catch(function () {});
  }

  if (warning && sessionLeft > 0) {
    document.getElementById("session-continue").addEventListener("click", function () { extend(false); });
    // Typing a long note sends no request: count it as activity now and then.
    ["keydown", "input", "pointerdown"].forEach(function (type) {
      document.addEventListener(type, function () {
        if (!ended && Date.now() - lastExtend > 5 * 60 * 1000) extend(true);
      }, { passive: true });
    });
    window.setInterval(function () {
      if (ended) return;
      var left = secondsLeft();
      if (left <= 0) { sessionEnded(); return; }
      if (left <= WARN_BEFORE_S && warning.hidden) {
        warning.hidden = false;
        announce(document.getElementById("session-warning-text").getAttribute("data-warning"));
      }
    }, 5000);
  }

  function poll(url) {
    return fetch(url, { credentials: "same-origin", headers: POLL }).then(function (r) {
      if (r.status === 401) { sessionEnded(); throw new Error("signed out"); }
      if (!r.ok) throw new Error("status " + r.status);
      return r.text();
    }).then(function (html) {
      return new DOMParser().parseFromString("<body>" + html + "</body>", "text/html");
    });
  }

  // ---- drafts: kept in this tab until sent --------------------------------------------------
  var store = window.sessionStorage;
  var sentDone = /[?&]done=/.test(location.search);
  document.querySelectorAll("textarea[data-draft]").forEach(function (area) {
    var key = "draft:" + area.getAttribute("data-draft");
    if (sentDone && store.getItem(key + ":sent")) { store.removeItem(key); }
    store.removeItem(key + ":sent");
    var saved = store.getItem(key);
    if (saved && !area.value) area.value = saved;
    area.addEventListener("input", function () { store.setItem(key, area.value); });
    if (area.form) {
      area.form.addEventListener("submit", function () { if (area.value) store.setItem(key + ":sent", "1"); });
    }
  });

  // ---- small helpers of the case page ---------------------------------------------------------
  var insert = document.getElementById("template-insert");
  if (insert) {
    insert.addEventListener("click", function () {
      var choice = document.getElementById("template").value;
      var area = document.getElementById(insert.getAttribute("data-target"));
      if (!choice || !area) return;
      // Never overwrite what was typed: the saved reply goes after it.
      area.value = area.value ? area.value.replace(/\s+$/, "") + "\n" + choice : choice;
      area.dispatchEvent(new Event("input"));
      area.focus();
    });
  }
  var printButton = document.getElementById("print-case");
  if (printButton) printButton.addEventListener("click", function () { window.print(); });
  var flash = document.getElementById("flash");
  if (flash && flash.classList.contains("error")) flash.focus();

  // ---- the queue: patch rows in place ---------------------------------------------------------
  var queue = document.getElementById("queue");
  var paused = false;
  var soundOn = false;
  var seen = {};
  document.querySelectorAll("#queue-rows tr[data-case]").forEach(function (tr) { seen[tr.getAttribute("data-case")] = true; });

  function beep() {
    try {
      var ctx = new (window.AudioContext || window.webkitAudioContext)();
      var osc = ctx.createOscillator();
      osc.frequency.value = 880; osc.connect(ctx.destination); osc.start(); osc.stop(ctx.currentTime + 0.25);
    } catch (e) { /* no sound on this device */ }
  }

  function patchRows(oldBody, newBody) {
    var focused = document.activeElement && document.activeElement.id;
    var oldRows = {};
    Array.prototype.forEach.call(oldBody.querySelectorAll("tr[data-case]"), function (tr) { oldRows[tr.id] = tr; });
    var wanted = Array.prototype.map.call(newBody.querySelectorAll("tr[data-case]"), function (tr) {
      var old = oldRows[tr.id];
      if (old && old.getAttribute("data-version") === tr.getAttribute("data-version")) { return old; }
      return document.importNode(tr, true);
    });
    var keep = {};
    wanted.forEach(function (tr) { keep[tr.id] = true; });
    Object.keys(oldRows).forEach(function (id) { if (!keep[id]) oldRows[id].remove(); });
    wanted.forEach(function (tr, index) {
      var at = oldBody.children[index];
      if (at !== tr) oldBody.insertBefore(tr, at || null);
    });
    if (focused && document.activeElement === body) {
      var again = document.getElementById(focused);
      if (again) again.focus({ preventScroll: true });
    }
  }

  function refreshQueue() {
    if (paused || ended) return;
    poll(queue.getAttribute("data-poll")).then(function (doc) {
      var banner = document.getElementById("urgent-banner");
      var newBanner = doc.getElementById("urgent-banner");
      if (banner && newBanner && banner.getAttribute("data-key") !== newBanner.getAttribute("data-key")) {
        banner.replaceWith(document.importNode(newBanner, true));
      }
      var holder = document.getElementById("queue-body");
      var fresh = doc.getElementById("queue-body");
      if (!holder || !fresh) return;
      var oldRows = document.getElementById("queue-rows");
      var newRows = doc.getElementById("queue-rows");
      if (oldRows && newRows) {
        patchRows(oldRows, newRows);
        var oldPager = holder.querySelector(".pager"), newPager = fresh.querySelector(".pager");
        if (oldPager && newPager) oldPager.replaceWith(document.importNode(newPager, true));
        else if (oldPager) oldPager.remove();
        else if (newPager) holder.appendChild(document.importNode(newPager, true));
      } else if (holder.innerHTML !== fresh.innerHTML) {
        holder.replaceWith(document.importNode(fresh, true));
        holder = document.getElementById("queue-body");
      }
      Array.prototype.forEach.call(fresh.attributes, function (a) { holder.setAttribute(a.name, a.value); });
      var badge = document.getElementById("count-badge");
      if (badge) badge.textContent = fresh.getAttribute("data-open");
      document.querySelectorAll("[id^=view-count-]").forEach(function (span) {
        var value = fresh.getAttribute("data-count-" + span.id.replace("view-count-", ""));
        if (value !== null && span.textContent !== value) span.textContent = value;
      });
      var arrived = [], urgent = false;
      Array.prototype.forEach.call(fresh.querySelectorAll("tr[data-case]"), function (tr) {
        var id = tr.getAttribute("data-case");
        if (!seen[id]) { seen[id] = true; arrived.push(tr.getAttribute("data-number")); urgent = urgent || tr.getAttribute("data-urgent") === "1"; }
      });
      if (arrived.length) {
        announce(format(queue.getAttribute("data-announce"), { count: arrived.length, numbers: arrived.join("、") })
          + (urgent ? queue.getAttribute("data-announce-urgent") : ""));
        if (urgent && soundOn) beep();
      }
      var newCount = parseInt(fresh.getAttribute("data-new") || "0", 10);
      document.title = (newCount ? format(queue.getAttribute("data-title-new"), { count: newCount }) : "")
        + document.title.replace(/^（[^）]*）/, "");
    }).catch(function () {});
  }

  if (queue) {
    var toggle = document.getElementById("live-toggle");
    var state = document.getElementById("live-state");
    toggle.addEventListener("click", function () {
      paused = !paused;
      toggle.setAttribute("aria-pressed", paused ? "true" : "false");
      toggle.textContent = toggle.getAttribute(paused ? "data-off" : "data-on");
      state.textContent = state.getAttribute(paused ? "data-paused" : "data-running");
      if (!paused) refreshQueue();
    });
    var sound = document.getElementById("live-sound");
    soundOn = store.getItem("staff:sound") === "1";
    sound.checked = soundOn;
    sound.addEventListener("change", function () { soundOn = sound.checked; store.setItem("staff:sound", soundOn ? "1" : "0"); });
    window.setInterval(refreshQueue, 3000);
  }

  // ---- the case thread: append what is new ------------------------------------------------------
  var thread = document.getElementById("thread");
  if (thread) {
    window.setInterval(function () {
      if (ended) return;
      poll(thread.getAttribute("data-poll")).then(function (doc) {
        var list = thread.querySelector("ol.thread");
        var fresh = doc.querySelector("ol.thread");
        if (!list || !fresh) return;
        var have = {};
        Array.prototype.forEach.call(list.querySelectorAll("li[data-key]"), function (li) { have[li.getAttribute("data-key")] = true; });
        var residentWrote = false;
        Array.prototype.forEach.call(fresh.querySelectorAll("li[data-key]"), function (li) {
          if (have[li.getAttribute("data-key")]) return;
          var hint = list.querySelector("li.hint");
          if (hint) hint.remove();
          list.appendChild(document.importNode(li, true));
          residentWrote = residentWrote || li.classList.contains("k-resident") || li.classList.contains("k-danger");
        });
        if (residentWrote) announce(thread.getAttribute("data-announce"));
      }).catch(function () {});
    }, 2000);
  }
})();
