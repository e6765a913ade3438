/*
 * Merci chat widget. Embed on any page with one tag:
 *
 *   <script src="https://bot.example.fr/webhooks/widget/merci-widget.js"
 *           data-server="https://bot.example.fr" defer></script>
 *
 * Optional attributes: data-identity-token (a JWT signed by the brand's server for a
 * logged-in visitor), data-title (the panel title), data-greeting-payload (default "/greet"),
 * data-privacy-url (the brand's privacy notice, linked from the line shown before opening),
 * data-brand-name (the brand's name, shown in the header: "Merci, l'assistant de ...";
 * the same name as MERCI_BRAND_NAME, which the greeting says).
 *
 * Nothing is stored in the browser and no connection is made before the visitor opens the
 * chat (unless they already talked on an earlier visit); a line says what opening means.
 *
 * Talks to Rasa's socket.io channel (session_request / session_confirm, user_uttered /
 * bot_uttered) with the vendored socket.io-client. Bot text is only ever put in the page as
 * text nodes, never parsed as HTML; links are built as anchor elements from http(s) URLs.
 */
(function () {
  "use strict";

  var script = document.currentScript;
  if (!script || window.__merciWidget) return;
  window.__merciWidget = true;

  var NBSP = "\u00a0"; // before : and inside « »
  var NNBSP = "\u202f"; // before ! ? ;
  var TEXT = {
    open: "Ouvrir la discussion avec Merci",
    openUnread: function (n) {
      return "Ouvrir la discussion avec Merci (" + n + (n > 1 ? " nouveaux messages)" : " nouveau message)");
    },
    dialog: "Discussion avec Merci",
    subtitle: "Merci, votre assistant",
    brandSubtitle: function (brand) { return "Merci, l'assistant de " + brand; },
    close: "Fermer la discussion",
    restart: "Nouvelle conversation",
    restartLabel: "Commencer une nouvelle conversation",
    log: "Messages de la conversation",
    placeholder: "Écrivez votre message…",
    input: "Votre message",
    send: "Envoyer",
    you: "Vous",
    bot: "Merci",
    typing: "Merci écrit…",
    chips: "Réponses proposées",
    stars: "Votre note",
    star: function (n) {
      return n + (n > 1 ? " étoiles" : " étoile") + " sur 5";
    },
    image: "Image envoyée par Merci",
    waiting: "Envoi en attente",
    connecting: "Connexion en cours…",
    lost: function (attempt) {
      return "Connexion perdue" + NBSP + ": nouvelle tentative" + (attempt > 1 ? " (essai " + attempt + ")" : "") +
        "… Vos messages seront envoyés dès le retour de la connexion.";
    },
    back: "Connexion rétablie.",
    newLink: "(s’ouvre dans un nouvel onglet)",
    // The consent gate: nothing is stored nor connected before the visitor opens the chat.
    notice: "En ouvrant la discussion, vous acceptez que vos messages soient conservés par la marque et dans ce navigateur.",
    privacy: "Confidentialité",
  };
  var MAX_HISTORY = 200;

  var base = script.src.replace(/[^/]*([?#].*)?$/, "");
  var server = (script.getAttribute("data-server") || new URL(script.src).origin).replace(/\/+$/, "");
  var greetingPayload = script.getAttribute("data-greeting-payload") || "/greet";
  var title = script.getAttribute("data-title") || "Merci";
  var privacyUrl = script.getAttribute("data-privacy-url");
  var brandName = (script.getAttribute("data-brand-name") || "").trim();
  // Merci Studio's preview: the same rendering, fed by the page; never stored nor connected.
  var preview = script.hasAttribute("data-preview");

  // --- Whose conversation this is: one local history and session per person ---
  // On a shared computer the next visitor must not see the previous one's conversation:
  // the state is kept under a key derived from the token's subject (hashed, so that the
  // brand's id is not written in clear), and anonymous visitors have a key of their own.
  var keyPrefix = "merci-widget:" + server;
  var ANONYMOUS_KEY = keyPrefix + ":anonymous";
  function tokenNow() {
    return script.getAttribute("data-identity-token") || null;
  }
  // The subject is read, not verified: the server checks the signature; this only files
  // the history under the right person.
  function tokenSubject(token) {
    try {
      var part = token.split(".")[1].replace(/-/g, "+").replace(/_/g, "/");
      while (part.length % 4) part += "=";
      var claims = JSON.parse(window.atob(part));
      return claims && typeof claims.sub === "string" && claims.sub ? claims.sub : null;
    } catch (e) {
      return null;
    }
  }
  function hash(text) {
    var h1 = 0xdeadbeef;
    var h2 = 0x41c6ce57;
    for (var i = 0; i < text.length; i++) {
      var ch = text.charCodeAt(i);
      h1 = Math.imul(h1 ^ ch, 2654435761);
      h2 = Math.imul(h2 ^ ch, 1597334677);
    }
    h1 = Math.imul(h1 ^ (h1 >>> 16), 2246822507) ^ Math.imul(h2 ^ (h2 >>> 13), 3266489909);
    h2 = Math.imul(h2 ^ (h2 >>> 16), 2246822507) ^ Math.imul(h1 ^ (h1 >>> 13), 3266489909);
    return (h2 >>> 0).toString(16) + (h1 >>> 0).toString(16);
  }
  function keyFor(token) {
    var subject = token ? tokenSubject(token) : null;
    return subject ? keyPrefix + ":id-" + hash(subject) : ANONYMOUS_KEY;
  }
  // An anonymous history lasts until someone logs in on this browser; the one kept per
  // server before histories were kept per person may be anyone's.
  function forgetOthers() {
    try {
      window.localStorage.removeItem(keyPrefix);
      if (storageKey !== ANONYMOUS_KEY) window.localStorage.removeItem(ANONYMOUS_KEY);
    } catch (e) {}
  }
  var identityToken = tokenNow();
  var storageKey = keyFor(identityToken);

  // --- State kept in localStorage: session id, history, messages not yet acknowledged ---
  function freshState() {
    return { sessionId: null, greeted: false, open: false, history: [], pending: [] };
  }
  function load() {
    try {
      var saved = JSON.parse(window.localStorage.getItem(storageKey));
      if (saved && typeof saved === "object" && Array.isArray(saved.history)) {
        saved.pending = Array.isArray(saved.pending) ? saved.pending : [];
        return saved;
      }
    } catch (e) {}
    return freshState();
  }
  function save() {
    if (preview) return;
    state.history = state.history.slice(-MAX_HISTORY);
    try {
      window.localStorage.setItem(storageKey, JSON.stringify(state));
    } catch (e) {}
  }
  function newId() {
    if (window.crypto && window.crypto.randomUUID) return window.crypto.randomUUID();
    return Date.now().toString(36) + Math.random().toString(36).slice(2);
  }
  forgetOthers();
  var state = load();

  // --- DOM helpers: every piece of text goes through textContent ---
  function el(tag, attrs, children) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (name) {
      if (name === "text") node.textContent = attrs[name];
      else node.setAttribute(name, attrs[name]);
    });
    (children || []).forEach(function (child) {
      if (child) node.appendChild(child);
    });
    return node;
  }

  function safeUrl(candidate) {
    try {
      var url = new URL(candidate, window.location.href);
      return url.protocol === "http:" || url.protocol === "https:" ? url.href : null;
    } catch (e) {
      return null;
    }
  }

  // Text with its http(s) links turned into anchors; everything else stays a text node.
  function richText(text) {
    var fragment = document.createDocumentFragment();
    var pattern = /https?:\/\/[^\s<>"«»]+/g;
    var last = 0;
    var match;
    while ((match = pattern.exec(text)) !== null) {
      var raw = match[0].replace(/[.,;:!?)\]]+$/, "");
      var href = safeUrl(raw);
      if (!href) continue;
      fragment.appendChild(document.createTextNode(text.slice(last, match.index)));
      var link = el("a", { href: href, target: "_blank", rel: "noopener noreferrer", text: raw });
      link.setAttribute("aria-label", raw + " " + TEXT.newLink);
      fragment.appendChild(link);
      last = match.index + raw.length;
      pattern.lastIndex = last;
    }
    fragment.appendChild(document.createTextNode(text.slice(last)));
    return fragment;
  }

  function clock(ts) {
    var date = new Date(ts);
    return el("time", {
      datetime: date.toISOString(),
      text: date.toLocaleTimeString("fr-FR", { hour: "2-digit", minute: "2-digit" }),
    });
  }

  // A speech bubble drawn in SVG: emoji fonts are missing on many systems.
  function bubbleIcon() {
    var ns = "http://www.w3.org/2000/svg";
    var svg = document.createElementNS(ns, "svg");
    svg.setAttribute("viewBox", "0 0 24 24");
    svg.setAttribute("aria-hidden", "true");
    var path = document.createElementNS(ns, "path");
    path.setAttribute("d", "M4 3h16a2 2 0 0 1 2 2v11a2 2 0 0 1-2 2H9l-5 4v-4H4a2 2 0 0 1-2-2V5a2 2 0 0 1 2-2z");
    svg.appendChild(path);
    return svg;
  }

  // --- Building the widget in a shadow root, so the host page's CSS cannot break it ---
  var host = el("div", { id: "merci-widget", style: "display:none" });
  var root = host.attachShadow({ mode: "open" });
  var stylesheet = el("link", { rel: "stylesheet", href: base + "merci-widget.css" });
  stylesheet.addEventListener("load", function () { host.style.display = ""; });
  stylesheet.addEventListener("error", function () { host.style.display = ""; });

  var badge = el("span", { class: "badge", "aria-hidden": "true", hidden: "" });
  var launcher = el("button", {
    type: "button", class: "launcher", "aria-label": TEXT.open, "aria-expanded": "false",
    "aria-controls": "merci-panel", "aria-describedby": "merci-notice",
  }, [bubbleIcon(), badge]);
  // Said before anything is stored: what opening the chat means (shown until it is opened).
  var privacyLink = privacyUrl && safeUrl(privacyUrl) && el("a", {
    href: safeUrl(privacyUrl), target: "_blank", rel: "noopener noreferrer", text: TEXT.privacy,
  });
  var notice = el("p", { id: "merci-notice", class: "notice", hidden: "" }, [
    document.createTextNode(TEXT.notice + (privacyLink ? " " : "")), privacyLink,
  ]);

  var restartButton = el("button", {
    type: "button", class: "restart", "aria-label": TEXT.restartLabel, text: TEXT.restart,
  });
  var closeButton = el("button", {
    type: "button", class: "close", "aria-label": TEXT.close, text: "×",
  });
  var status = el("div", { class: "status", role: "status", "aria-live": "polite", hidden: "" });
  // A list (not role="log", which would hide the list from assistive technology), announced as it grows.
  var log = el("ol", { class: "log", "aria-live": "polite", "aria-label": TEXT.log, tabindex: "0" });
  var typing = el("div", { class: "typing", hidden: "", "aria-label": TEXT.typing, role: "img" }, [
    el("span"), el("span"), el("span"),
  ]);
  var input = el("input", {
    type: "text", class: "input", "aria-label": TEXT.input, placeholder: TEXT.placeholder,
    autocomplete: "off", maxlength: "1000", enterkeyhint: "send",
  });
  var sendButton = el("button", { type: "submit", class: "send", "aria-label": TEXT.send }, [
    el("span", { "aria-hidden": "true", text: "➤" }),
  ]);
  var form = el("form", { class: "composer" }, [input, sendButton]);
  var panel = el("section", {
    id: "merci-panel", class: "panel", role: "dialog", "aria-label": TEXT.dialog, hidden: "",
  }, [
    el("header", { class: "header" }, [
      el("div", { class: "title" }, [
        el("h2", { text: title }),
        el("p", { text: brandName ? TEXT.brandSubtitle(brandName) : TEXT.subtitle }),
      ]),
      restartButton,
      closeButton,
    ]),
    status,
    log,
    typing,
    form,
  ]);
  root.appendChild(stylesheet);
  root.appendChild(panel);
  root.appendChild(notice);
  root.appendChild(launcher);

  // --- Rendering messages ---
  function isRating(chips) {
    return chips.length === 5 && chips.every(function (chip, i) {
      return String(chip.payload).trim() === String(i + 1);
    });
  }

  function chipsFor(entry) {
    var chips = entry.chips || [];
    if (!chips.length) return null;
    var rating = isRating(chips);
    var group = el("div", {
      class: rating ? "chips stars" : "chips", role: "group",
      "aria-label": rating ? TEXT.stars : TEXT.chips,
    });
    var buttons = chips.map(function (chip, i) {
      var button = el("button", { type: "button", class: rating ? "chip star" : "chip" });
      if (rating) {
        button.textContent = "★";
        button.setAttribute("aria-label", TEXT.star(i + 1));
        button.addEventListener("mouseenter", function () { light(i); });
        button.addEventListener("focus", function () { light(i); });
      } else {
        button.textContent = String(chip.title);
      }
      if (entry.chipsDone) button.disabled = true;
      button.addEventListener("click", function () {
        entry.chipsDone = true;
        entry.chosen = i;
        if (rating) light(i);
        buttons.forEach(function (b) { b.disabled = true; });
        send(String(chip.title), String(chip.payload));
      });
      return button;
    });
    function light(upTo) {
      buttons.forEach(function (b, j) { b.classList.toggle("lit", j <= upTo); });
    }
    if (rating) {
      group.addEventListener("mouseleave", function () { light(entry.chosen == null ? -1 : entry.chosen); });
      if (entry.chosen != null) light(entry.chosen);
    }
    buttons.forEach(function (b) { group.appendChild(b); });
    return group;
  }

  function render(entry) {
    var who = entry.from === "user" ? TEXT.you : TEXT.bot;
    var bubble = el("div", { class: "bubble" });
    if (entry.text) bubble.appendChild(richText(entry.text));
    if (entry.image) {
      var src = safeUrl(entry.image);
      if (src) bubble.appendChild(el("img", { src: src, alt: TEXT.image, loading: "lazy" }));
    }
    var meta = el("div", { class: "meta" }, [el("span", { class: "sr-only", text: who + ", " })]);
    if (entry.pending) meta.appendChild(el("span", { class: "waiting", text: TEXT.waiting }));
    else meta.appendChild(clock(entry.ts));
    var item = el("li", { class: "message " + entry.from, "data-id": entry.id }, [bubble, meta, chipsFor(entry)]);
    return item;
  }

  function renderAll() {
    log.textContent = "";
    state.history.forEach(function (entry) { log.appendChild(render(entry)); });
    scrollDown();
  }

  function append(entry) {
    state.history.push(entry);
    save();
    log.appendChild(render(entry));
    scrollDown();
  }

  function rerender(entry) {
    var old = log.querySelector('[data-id="' + entry.id + '"]');
    if (old) old.replaceWith(render(entry));
  }

  function scrollDown() {
    log.scrollTop = log.scrollHeight;
  }

  var unread = 0;
  function noteUnread() {
    if (!panel.hidden) return;
    unread += 1;
    badge.textContent = String(unread);
    badge.hidden = false;
    launcher.setAttribute("aria-label", TEXT.openUnread(unread));
  }

  // Rasa's socket.io output: {text}, {text, quick_replies}, {attachment: {type: "image"}}.
  function receive(message) {
    if (!message || typeof message !== "object") return;
    var entry = { id: newId(), from: "bot", ts: Date.now() };
    if (typeof message.text === "string") entry.text = message.text;
    var chips = message.quick_replies || message.buttons;
    if (Array.isArray(chips)) {
      entry.chips = chips
        .filter(function (c) { return c && c.title != null && c.payload != null; })
        .map(function (c) { return { title: String(c.title), payload: String(c.payload) }; });
    }
    var attachment = message.attachment;
    if (attachment && attachment.type === "image" && attachment.payload) {
      var src = attachment.payload.src ? safeUrl(String(attachment.payload.src)) : null;
      if (src) entry.image = src;
    }
    if (!entry.text && !entry.image) return;
    hideTyping();
    append(entry);
    noteUnread();
  }

  // --- Connection, with socket.io's reconnection (exponential backoff with jitter) ---
  var socket = null;
  var confirmed = false;
  var inFlight = {};
  var typingTimer = null;

  function setStatus(text, kind) {
    status.textContent = text || "";
    status.hidden = !text;
    status.className = "status" + (kind ? " " + kind : "");
  }

  function showTyping() {
    typing.hidden = false;
    scrollDown();
    clearTimeout(typingTimer);
    typingTimer = setTimeout(hideTyping, 20000);
  }
  function hideTyping() {
    typing.hidden = true;
    clearTimeout(typingTimer);
  }

  function loadClient(then) {
    if (window.io) return then();
    var tag = document.createElement("script");
    tag.src = base + "vendor/socket.io.min.js";
    tag.onload = then;
    tag.onerror = function () { setStatus(TEXT.lost(1), "offline"); };
    document.head.appendChild(tag);
  }

  function clientKey() {
    var bytes = new Uint8Array(12);
    window.crypto.getRandomValues(bytes);
    return Array.prototype.map.call(bytes, function (b) {
      return ("0" + b.toString(16)).slice(-2);
    }).join("");
  }

  function connect() {
    if (socket) return;
    socket = "loading";
    loadClient(function () {
      socket = window.io(server, {
        path: "/socket.io",
        transports: ["websocket", "polling"],
        // Behind several servers, the load balancer keeps every request of this page on
        // one server by this key (the polling fallback needs it; see deploy/nginx.conf).
        query: { merci_client: clientKey() },
        reconnection: true,
        reconnectionDelay: 1000,
        reconnectionDelayMax: 10000,
        randomizationFactor: 0.5,
        timeout: 10000,
      });
      var wasLost = false;
      setStatus(TEXT.connecting);
      socket.on("connect", function () {
        confirmed = false;
        socket.emit("session_request", { session_id: state.sessionId });
      });
      socket.on("session_confirm", function (sessionId) {
        var id = typeof sessionId === "string" ? sessionId : sessionId && sessionId.session_id;
        if (!id) return;
        if (confirmed && id !== state.sessionId) return moved(id);
        state.sessionId = id;
        confirmed = true;
        inFlight = {};
        setStatus(wasLost ? TEXT.back : "", wasLost ? "online" : "");
        if (wasLost) setTimeout(function () { if (confirmed) setStatus(""); }, 3000);
        wasLost = false;
        if (!state.greeted && state.open) greet();
        save();
        flush();
      });
      // Proactive messages ask for a receipt: without it the server queues them instead.
      socket.on("bot_uttered", function (message, ack) {
        receive(message);
        if (typeof ack === "function") ack(true);
      });
      socket.on("disconnect", function (reason) {
        confirmed = false;
        hideTyping();
        if (reason === "io client disconnect") return;
        wasLost = true;
        setStatus(TEXT.lost(1), "offline");
      });
      socket.on("connect_error", function () {
        wasLost = true;
        setStatus(TEXT.lost(1), "offline");
      });
      socket.io.on("reconnect_attempt", function (attempt) {
        wasLost = true;
        setStatus(TEXT.lost(attempt), "offline");
      });
    });
  }

  // The server moved this socket to a new session: the one shown belonged to someone else.
  // What is in flight stays in flight (the server answers it in the new session).
  function moved(id) {
    state.sessionId = id;
    state.history = state.history.filter(function (entry) { return entry.pending; });
    save();
    renderAll();
  }

  // The page changed the identity token (a login or logout without reload): show and
  // continue that person's own conversation, on their own session.
  function switchIdentity() {
    var token = tokenNow();
    if (token === identityToken) return;
    identityToken = token;
    var key = keyFor(token);
    if (key === storageKey) return; // the same person, with a fresher token
    var wasOpen = state.open;
    storageKey = key;
    forgetOthers();
    state = load();
    state.open = wasOpen;
    inFlight = {};
    hideTyping();
    renderAll();
    if (socket && socket !== "loading") {
      confirmed = false;
      socket.disconnect();
      socket.connect();
    }
  }

  function online() {
    return socket && socket !== "loading" && socket.connected && confirmed;
  }

  // Each message has an id and stays in `pending` until the server acknowledges it (after
  // the bot has answered); after a reconnection it is sent again and the server drops it
  // if it was already handled, so nothing is said twice and nothing typed is lost.
  function flush() {
    if (!online()) return;
    state.pending.forEach(function (item) {
      if (inFlight[item.id]) return;
      inFlight[item.id] = true;
      var metadata = { message_id: item.id };
      if (identityToken) metadata.identity_token = identityToken;
      showTyping();
      socket.emit("user_uttered", {
        message: item.message, session_id: state.sessionId, customData: metadata,
      }, function () { acknowledged(item.id); });
    });
  }

  function acknowledged(id) {
    state.pending = state.pending.filter(function (item) { return item.id !== id; });
    delete inFlight[id];
    var entry = state.history.find(function (e) { return e.id === id; });
    if (entry && entry.pending) {
      entry.pending = false;
      entry.ts = Date.now();
      rerender(entry);
    }
    if (!state.pending.length) hideTyping();
    save();
  }

  function send(text, payload) {
    if (preview) return;
    var id = newId();
    state.history.forEach(function (entry) { entry.chipsDone = entry.chipsDone || !!entry.chips; });
    log.querySelectorAll(".chip").forEach(function (b) { b.disabled = true; });
    append({ id: id, from: "user", text: text, ts: Date.now(), pending: true });
    state.pending.push({ id: id, message: payload || text });
    save();
    flush();
  }

  function greet() {
    state.greeted = true;
    state.pending.push({ id: newId(), message: greetingPayload });
    save();
  }

  // --- Opening, closing, restarting ---
  function open() {
    notice.hidden = true;
    panel.hidden = false;
    launcher.setAttribute("aria-expanded", "true");
    launcher.setAttribute("aria-label", TEXT.open);
    unread = 0;
    badge.hidden = true;
    state.open = true;
    if (!state.greeted && online()) {
      greet();
      flush();
    }
    save();
    connect();
    scrollDown();
    input.focus();
  }

  function close() {
    panel.hidden = true;
    launcher.setAttribute("aria-expanded", "false");
    state.open = false;
    save();
    launcher.focus();
  }

  function restart() {
    state = freshState();
    state.open = true;
    save();
    renderAll();
    hideTyping();
    if (socket && socket !== "loading") {
      // A new socket gets a new session id from session_request, and leaves the old room.
      confirmed = false;
      socket.disconnect();
      socket.connect();
    }
    input.focus();
  }

  launcher.addEventListener("click", function () {
    if (panel.hidden) open();
    else close();
  });
  closeButton.addEventListener("click", close);
  restartButton.addEventListener("click", restart);
  panel.addEventListener("keydown", function (event) {
    if (event.key === "Escape") close();
  });
  form.addEventListener("submit", function (event) {
    event.preventDefault();
    var text = input.value.trim();
    if (!text) return;
    input.value = "";
    send(text);
  });

  if (window.MutationObserver) {
    new MutationObserver(switchIdentity).observe(script, {
      attributes: true, attributeFilter: ["data-identity-token"],
    });
  }

  // window.merciWidgetPreview([{text, buttons}]) shows bot messages as a consumer would see them.
  function startPreview() {
    state = freshState();
    notice.hidden = true;
    panel.hidden = false;
    launcher.setAttribute("aria-expanded", "true");
    window.merciWidgetPreview = function (messages) {
      state.history = [];
      log.textContent = "";
      messages.forEach(receive);
    };
    document.dispatchEvent(new CustomEvent("merci-widget-preview-ready"));
  }

  function start() {
    document.body.appendChild(host);
    if (preview) return startPreview();
    renderAll();
    // A first visit: nothing stored, no connection, only the line saying what opening means.
    notice.hidden = Boolean(state.sessionId || state.history.length || state.open);
    // Someone who already talked gets proactive messages as long as the page is open.
    if (state.sessionId || state.pending.length) connect();
    if (state.open) open();
  }
  if (document.body) start();
  else document.addEventListener("DOMContentLoaded", start);
})();
