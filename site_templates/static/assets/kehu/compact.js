/* kehu: the viewer of compact customer profiles (kehu.site.compact; vendored, no dependencies).
 * A large book keeps a full page for the customers contacted most recently; every other profile is kept, as
 * kehu's own HTML body, in a gzip-compressed data file of about 64 customers (customers/compact/<n>.js, a
 * <script> that calls kehuCompact, so it also loads from disk). This script, on the viewer page
 * (customers/compact/#<id>), loads the customer's file and builds the profile with a small tokenizer of its
 * own: tags become elements made with createElement (never one that could run or load anything: script,
 * iframe, object, on* attributes, javascript: links are left out), text becomes text nodes. The browser's HTML
 * parser never sees the data, and nothing is fetched from another host.
 */
(function () {
  "use strict";

  var SVG = "http://www.w3.org/2000/svg";
  var NO_TAG = /^(script|style|iframe|frame|frameset|object|embed|base|link|meta|form|noscript)$/;
  var URL_ATTR = /^(href|src|xlink:href|action|formaction|poster|background)$/;

  // the same hash as kehu.site.compact.file_of: FNV-1a over the id's UTF-8 bytes
  function fileOf(id, files) {
    var bytes = new TextEncoder().encode(id);
    var h = 0x811c9dc5;
    for (var i = 0; i < bytes.length; i++) h = Math.imul(h ^ bytes[i], 0x01000193) >>> 0;
    return h % files;
  }

  var VOID = /^(area|br|col|embed|hr|img|input|link|meta|source|track|wbr)$/;
  var TOKEN = /<(\/?)([a-zA-Z][a-zA-Z0-9-]*)((?:[^>"']|"[^"]*"|'[^']*')*)>|<!--[\s\S]*?-->|([^<]+|<)/g;
  var ATTR = /([^\s"'>\/=]+)(?:\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'>]+)))?/g;
  var NAMED = { amp: "&", lt: "<", gt: ">", quot: "\"", apos: "'", nbsp: "\u00a0" };

  function unescapeText(text) {
    return text.replace(/&(#[0-9]+|#[xX][0-9a-fA-F]+|[a-zA-Z]+);/g, function (all, ref) {
      if (ref.charAt(0) !== "#") return Object.prototype.hasOwnProperty.call(NAMED, ref) ? NAMED[ref] : all;
      var code = ref.charAt(1) === "x" || ref.charAt(1) === "X" ? parseInt(ref.slice(2), 16) : parseInt(ref.slice(1), 10);
      return code > 0 && code <= 0x10ffff && !(code >= 0xd800 && code <= 0xdfff) ? String.fromCodePoint(code) : "\ufffd";
    });
  }

  // svg: names keep their case (viewBox), as the HTML parser gives them inside <svg>
  function setAttributes(e, text, svg) {
    var seen = {};
    var m;
    ATTR.lastIndex = 0;
    while ((m = ATTR.exec(text)) !== null) {
      var name = m[1].toLowerCase();
      if (seen[name]) continue;  // the first of a repeated attribute counts, as in a browser
      seen[name] = true;
      var raw = m[2] !== undefined ? m[2] : m[3] !== undefined ? m[3] : m[4] !== undefined ? m[4] : "";
      var value = unescapeText(raw);
      if (/^on/.test(name) || name === "srcdoc" || name === "style") continue;
      if (URL_ATTR.test(name) && /^[\s\u0000-\u001f]*(javascript|vbscript|data):/i.test(value)) continue;
      try { e.setAttribute(svg ? m[1] : name, value); } catch (err) { /* a name the DOM refuses: left out */ }
    }
  }

  /* A profile's body (kehu's own HTML: every value escaped) read by this tokenizer, never by the browser's
   * HTML parser: tags become elements (createElement; none that could run or load anything), text becomes
   * text nodes. */
  function build(body) {
    var root = document.createDocumentFragment();
    var open = [{ tag: "", node: root }];
    var m;
    TOKEN.lastIndex = 0;
    while ((m = TOKEN.exec(body)) !== null) {
      var top = open[open.length - 1];
      if (m[4] !== undefined) {
        if (open.length > 1 || m[4].trim()) top.node.appendChild(document.createTextNode(unescapeText(m[4])));
        continue;
      }
      if (m[2] === undefined) continue;  // a comment
      var tag = m[2].toLowerCase();  // compared in lower case; an SVG element is made with its own (clipPath)
      if (m[1]) {
        for (var depth = open.length - 1; depth > 0; depth--) {
          if (open[depth].tag === tag) { open.length = depth; break; }
        }
        continue;
      }
      var svg = tag === "svg" || top.svg;
      var allowed = !NO_TAG.test(tag);
      var e = !allowed ? document.createElement("span") : svg ? document.createElementNS(SVG, m[2]) : document.createElement(tag);
      if (allowed) setAttributes(e, m[3].replace(/\/\s*$/, ""), svg);
      else e.hidden = true;  // an element that could run or load something: its content stays inert text
      top.node.appendChild(e);
      if (!VOID.test(tag) && !/\/\s*$/.test(m[3])) {
        open.push({ tag: tag, node: tag === "template" && allowed ? e.content : e, svg: svg });
      }
    }
    return root;
  }

  var compactWaiting = {};  // data file -> callbacks waiting for it
  var compactLoaded = {};

  window.kehuCompact = function (n, packed) {
    var waiting = compactWaiting[n] || [];
    delete compactWaiting[n];
    function fail() { waiting.forEach(function (w) { w(null); }); }
    try {
      var bytes = Uint8Array.from(atob(packed), function (ch) { return ch.charCodeAt(0); });
      var stream = new Blob([bytes]).stream().pipeThrough(new DecompressionStream("gzip"));
      new Response(stream).text().then(function (text) {
        var data = JSON.parse(text);
        compactLoaded[n] = data;
        waiting.forEach(function (w) { w(data); });
      }, fail);
    } catch (err) { fail(); }
  };

  function compactLoad(holder, n, done) {
    if (compactLoaded[n]) { done(compactLoaded[n]); return; }
    if (compactWaiting[n]) { compactWaiting[n].push(done); return; }
    compactWaiting[n] = [done];
    var script = document.createElement("script");
    script.src = holder.getAttribute("data-base") + n + ".js";
    script.onerror = function () {
      var waiting = compactWaiting[n] || [];
      delete compactWaiting[n];
      waiting.forEach(function (w) { w(null); });
    };
    document.head.appendChild(script);
  }

  // as Material for MkDocs does to the tables of a page when it loads: each in a box that scrolls sideways
  function wrapTables(root) {
    root.querySelectorAll("table").forEach(function (table) {
      if (table.parentNode && table.parentNode.classList && table.parentNode.classList.contains("md-typeset__table")) return;
      var scroll = document.createElement("div");
      scroll.className = "md-typeset__scrollwrap";
      var box = document.createElement("div");
      box.className = "md-typeset__table";
      table.parentNode.insertBefore(scroll, table);
      scroll.appendChild(box);
      box.appendChild(table);
    });
  }

  function compactProfile(holder) {
    var shown = holder.getAttribute("data-title") || "";
    var suffix = document.title.indexOf(shown) === 0 ? document.title.slice(shown.length) : "";
    var parts = Array.prototype.slice.call(holder.children);  // the viewer's own lines, put back for another id
    function say(cls) {
      holder.textContent = "";
      parts.forEach(function (p) { holder.appendChild(p); p.hidden = !p.classList.contains(cls); });
    }
    function show() {
      var id = "";
      try { id = decodeURIComponent(window.location.hash.slice(1)); } catch (err) { id = ""; }
      var files = parseInt(holder.getAttribute("data-files"), 10);
      if (!id || !(files > 0)) { say("kehu-compact-missing"); return; }
      say("kehu-compact-wait");
      var n = fileOf(id, files);
      compactLoad(holder, n, function (data) {
        if (data === null || typeof DecompressionStream === "undefined") { say("kehu-compact-failed"); return; }
        if (!Object.prototype.hasOwnProperty.call(data, id)) { say("kehu-compact-missing"); return; }
        var profile = data[id];
        var made = build(String(profile[1] || ""));
        wrapTables(made);
        holder.textContent = "";
        holder.appendChild(made);
        document.title = String(profile[0]) + suffix;
        if (window.kehuRefresh) window.kehuRefresh(holder);
      });
    }
    window.addEventListener("hashchange", show);
    if (typeof DecompressionStream === "undefined") { say("kehu-compact-failed"); return; }
    show();
  }

  function start() {
    document.querySelectorAll(".kehu-compact").forEach(compactProfile);
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
