/* kehu site scripts (vendored, no dependencies, nothing fetched).
 * 1. Customers index: renders the table from the compact JSON in the page, filters (name, pinyin,
 *    initials, id, region, owner) and sorts it; names sort in the pinyin order the build gave the rows
 *    (phrase-aware readings: 长沙 under C), not by the browser's per-character collation.
 * 2. Due page: re-buckets every follow-up against the viewer's today (in the team's time zone),
 *    so a site built days ago still shows what is overdue now.
 *    The dashboard's due tiles are recounted the same way from the dates it carries, so the two agree.
 *    The due page lists one row per customer (each item owed re-bucketed on its own); "show" keeps one
 *    person's list, remembered in this browser.
 * 3. Every table with no row to show (none built, or all filtered out or hidden) says so (暂无 / No data).
 * 4. A site opened from disk (file://): links to folders lead to their index.html, and a line says that
 *    search needs a server (`kehu serve`).
 * (Compact profiles of a large book are drawn by compact.js, which calls kehuRefresh on what it built.)
 * All text is set with textContent: no value from the data is ever parsed as HTML.
 * `?today=YYYY-MM-DD` in the address pretends the viewer's date (for checking a rollover).
 */
(function () {
  "use strict";

  function viewerToday(tz) {
    var forced = new URLSearchParams(window.location.search).get("today");
    if (forced && /^\d{4}-\d{2}-\d{2}$/.test(forced)) return forced;
    try {
      return new Intl.DateTimeFormat("en-CA", { timeZone: tz, year: "numeric", month: "2-digit", day: "2-digit" })
        .format(new Date());
    } catch (e) {
      var d = new Date();
      return d.getFullYear() + "-" + String(d.getMonth() + 1).padStart(2, "0") + "-" + String(d.getDate()).padStart(2, "0");
    }
  }
  window.kehuViewerToday = viewerToday;  // filters.js counts its periods from the same day

  function days(a, b) { // b - a in days, both YYYY-MM-DD
    return Math.round((Date.parse(b + "T00:00:00Z") - Date.parse(a + "T00:00:00Z")) / 86400000);
  }

  // the same rule as kehu.core.derive.due_bucket
  function bucket(due, today, soon) {
    if (due < today) return "overdue";
    if (due === today) return "today";
    return days(today, due) <= soon ? "soon" : "later";
  }

  function el(tag, text, cls) {
    var e = document.createElement(tag);
    if (text !== undefined && text !== null) e.textContent = String(text);
    if (cls) e.className = cls;
    return e;
  }

  /* --- empty tables ---------------------------------------------------------------------- */

  function word(key) {
    var tpl = document.getElementById("kehu-words");
    var span = tpl && tpl.content.querySelector('[data-key="' + key + '"]');
    return span ? span.textContent : "";
  }

  function markEmpty(table) {
    var body = table.tBodies[0];
    if (!body) return;
    var note = body.querySelector("tr.kehu-empty");
    var shown = Array.prototype.some.call(body.rows, function (r) { return r !== note && !r.hidden; });
    if (shown) {
      if (note) note.hidden = true;
      return;
    }
    if (!note) {
      var head = table.tHead && table.tHead.rows[0];
      var cols = head ? Array.prototype.reduce.call(head.cells, function (n, c) { return n + (c.colSpan || 1); }, 0) : 1;
      note = el("tr", null, "kehu-empty");
      var td = el("td", word("no_data"));
      td.colSpan = cols;
      note.appendChild(td);
      body.appendChild(note);
    }
    note.hidden = false;
  }

  function markAllEmpty() {
    document.querySelectorAll(".kehu-table table").forEach(markEmpty);
  }

  /* --- customers index ------------------------------------------------------------------ */

  function customersIndex(table) {
    var source = document.getElementById("kehu-customers-data");
    if (!source) return;
    var data = JSON.parse(source.textContent);
    var rows = data.rows;
    var ownerKeys = data.owner_keys || [];
    var order = new Map();
    rows.forEach(function (r, i) { order.set(r, i); });
    var base = table.getAttribute("data-base"); // link to customers/X
    var today = viewerToday(table.getAttribute("data-tz"));
    var soon = parseInt(table.getAttribute("data-soon"), 10);
    var filter = document.getElementById("kehu-filter");
    var selects = document.querySelectorAll(".kehu-select");
    var shown = document.getElementById("kehu-shown");
    var tbody = table.tBodies[0];
    var sortCol = 1, sortDir = 1;
    var lookups = { 4: data.classes, 5: data.stages, 6: data.statuses, 7: data.owners, 8: data.industries };

    function label(row, col) {
      return lookups[col] ? (lookups[col][row[col]] || "") : row[col];
    }

    function matches(row, q) {
      if (!q) return true;
      var hay = (row[0] + " " + row[1] + " " + row[2] + " " + row[3] + " " + row[9]).toLowerCase();
      return hay.indexOf(q) >= 0 || (ownerKeys[row[7]] || "").indexOf(q) >= 0;
    }

    function render() {
      var q = (filter.value || "").normalize("NFKC").replace(/[\u00ad\u200b-\u200f\u2060-\u2064\ufeff\s]+/g, "").toLowerCase();
      var wanted = [];
      selects.forEach(function (s) { if (s.value !== "") wanted.push([parseInt(s.getAttribute("data-col"), 10), parseInt(s.value, 10)]); });
      var list = rows.filter(function (r) {
        if (window.kehuCustomerFilter && !window.kehuCustomerFilter(r[0])) return false;  // filters.js (the bar)
        for (var i = 0; i < wanted.length; i++) if (r[wanted[i][0]] !== wanted[i][1]) return false;
        return matches(r, q);
      });
      list.sort(function (a, b) {
        var x = a[sortCol], y = b[sortCol];
        if (sortCol === 1) return (order.get(a) - order.get(b)) * sortDir;
        if (x === y) return 0;
        if (x === "" || x === -1) return 1;
        if (y === "" || y === -1) return -1;
        return (x < y ? -1 : 1) * sortDir;
      });
      var frag = document.createDocumentFragment();
      list.forEach(function (r) {
        var tr = document.createElement("tr");
        var name = el("td");
        var a = el("a", r[1]);
        var href = base.replace(/X(\/|\.html)?$/, encodeURIComponent(r[0]) + "$1");
        a.href = window.location.protocol === "file:" && /\/$/.test(href) ? href + "index.html" : href;
        name.appendChild(a);
        name.appendChild(document.createTextNode(" "));
        name.appendChild(el("span", r[0], "kehu-muted"));
        if (r[12]) {  // a customer whose file has errors: listed like every other, and marked
          name.appendChild(document.createTextNode(" "));
          name.appendChild(el("span", "⚠ " + data.errors_mark, "kehu-has-errors"));
        }
        tr.appendChild(name);
        [4, 5, 6, 7, 8, 9, 10].forEach(function (c) { tr.appendChild(el("td", label(r, c))); });
        var due = el("td", r[11]);
        if (r[11]) due.className = "kehu-bucket-" + bucket(r[11], today, soon);
        tr.appendChild(due);
        frag.appendChild(tr);
      });
      tbody.textContent = "";
      tbody.appendChild(frag);
      markEmpty(table);
      shown.textContent = shown.getAttribute("data-template").replace("{n}", list.length).replace("{total}", rows.length);
    }

    window.kehuRefilter = render;  // filters.js re-renders the list when its bar changes
    filter.addEventListener("input", render);
    selects.forEach(function (s) { s.addEventListener("change", render); });
    table.querySelectorAll("th[data-sort]").forEach(function (th) {
      th.addEventListener("click", function () {
        var col = parseInt(th.getAttribute("data-sort"), 10);
        sortDir = col === sortCol ? -sortDir : 1;
        sortCol = col;
        render();
      });
    });
    render();
  }

  /* --- due page ----------------------------------------------------------------------------- */

  function rebucket(page) {
    var built = page.getAttribute("data-built");
    var today = viewerToday(page.getAttribute("data-tz"));
    var soon = parseInt(page.getAttribute("data-soon"), 10);
    var window_ = parseInt(page.getAttribute("data-bw") || "0", 10);
    var labels = {};
    var tpl = document.getElementById("kehu-bucket-labels");
    if (tpl) tpl.content.querySelectorAll("span").forEach(function (s) { labels[s.getAttribute("data-key")] = s.textContent; });
    var owner = page.getAttribute("data-owner-shown") || "";
    var counts = { overdue: 0, today: 0, soon: 0, later: 0 };
    var items = Array.prototype.slice.call(page.querySelectorAll("[data-due]"));
    page.querySelectorAll("template.kehu-due-dates").forEach(function (t) {  // the dashboard's dates, not shown
      items = items.concat(Array.prototype.slice.call(t.content.querySelectorAll("[data-due]")));
    });
    items.forEach(function (item) {
      var hold = item.getAttribute("data-hold");
      var b = bucket(item.getAttribute("data-due"), today, soon);
      var badge = item.querySelector(".kehu-bucket");
      if (badge) {
        badge.className = "kehu-bucket kehu-bucket-" + b;
        if (labels[b]) badge.textContent = labels[b];
      }
      item.setAttribute("data-bucket", b);
      if (!item.classList.contains("kehu-due-item")) return;
      var show = b !== "later" && !(hold && today < hold);
      item.hidden = !show;
      var group = item.closest ? item.closest(".kehu-due-group") : null;
      var mine = !owner || !group || group.getAttribute("data-owner") === owner;
      if (show && mine) counts[b] += 1;
    });
    // a customer's row: shown while one of its items is, dated and badged by the earliest of them
    page.querySelectorAll(".kehu-due-row").forEach(function (row) {
      var shown = row.querySelectorAll(".kehu-due-item:not([hidden])");
      row.hidden = shown.length === 0;
      if (!shown.length) return;
      var first = shown[0];
      var date = row.querySelector(".kehu-row-date");
      if (date) date.textContent = first.getAttribute("data-due");
      var badge = row.querySelector(".kehu-due-when .kehu-bucket");
      var b = first.getAttribute("data-bucket");
      if (badge) {
        badge.className = "kehu-bucket kehu-bucket-" + b;
        if (labels[b]) badge.textContent = labels[b];
      }
    });
    page.querySelectorAll(".kehu-due-group").forEach(function (g) {
      var other = owner && g.getAttribute("data-owner") !== owner;
      g.hidden = other || !g.querySelector(".kehu-due-row:not([hidden])");
    });
    page.querySelectorAll("[data-count]").forEach(function (n) { n.textContent = counts[n.getAttribute("data-count")]; });
    var none = page.querySelector(".kehu-nothing-due");
    if (none) none.hidden = counts.overdue + counts.today + counts.soon > 0;
    page.querySelectorAll(".kehu-birthday").forEach(function (tr) {
      var d = days(today, tr.getAttribute("data-date"));
      tr.hidden = d < 0 || d > window_;
    });
    if (today !== built) {
      var note = page.querySelector(".kehu-rebucket");
      if (note) {
        note.querySelector(".kehu-viewer-today").textContent = today;
        note.hidden = false;
      }
    }
  }

  /* --- only one person's due list ------------------------------------------------------------- */

  function ownerPick(page) {
    var pick = page.querySelector(".kehu-owner-pick");
    if (!pick) return;
    var key = "kehu-due-owner";
    var known = Array.prototype.some.call(pick.options, function (o) { return o.value === stored(); });
    function stored() {
      try { return window.localStorage.getItem(key) || ""; } catch (e) { return ""; }
    }
    function apply() {
      page.setAttribute("data-owner-shown", pick.value);
      try { window.localStorage.setItem(key, pick.value); } catch (e) { /* private mode: not remembered */ }
      rebucket(page);
      markAllEmpty();
    }
    if (known) pick.value = stored();
    pick.addEventListener("change", apply);
    if (pick.value) apply();
  }

  /* --- opened from disk --------------------------------------------------------------------- */

  function fromDisk(root) {
    if (window.location.protocol !== "file:") return;
    // a static host serves folder/index.html for folder/; a file:// page only lists the folder
    (root || document).querySelectorAll("a[href]").forEach(function (a) {
      var href = a.getAttribute("href");
      if (!href || /^[a-z]+:/i.test(href) || href.charAt(0) === "#") return;
      var parts = href.split("#");
      if (/\/$/.test(parts[0]) || parts[0] === "." || parts[0] === "..") {
        parts[0] = parts[0].replace(/\/?$/, "/") + "index.html";
        a.setAttribute("href", parts.join("#"));
      }
    });
    var notice = word("file_notice");
    var article = document.querySelector("article");
    if (notice && article && !document.querySelector(".kehu-file-notice")) {
      article.insertBefore(el("p", notice, "kehu-file-notice"), article.firstChild);
    }
  }

  // what start() does to a page, for a part built after it ran (compact.js: a compact customer's profile)
  window.kehuRefresh = function (root) {
    fromDisk(root);
    root.querySelectorAll("[data-rebucket]").forEach(rebucket);
    markAllEmpty();
  };

  function start() {
    fromDisk();
    var table = document.getElementById("kehu-index");
    if (table) customersIndex(table);
    document.querySelectorAll("[data-rebucket]").forEach(rebucket);
    document.querySelectorAll(".kehu-due-page").forEach(ownerPick);
    markAllEmpty();
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
