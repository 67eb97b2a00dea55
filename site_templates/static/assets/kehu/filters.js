/* kehu's filters that stay (vendored, no dependencies; nothing is sent anywhere).
 * The filter bar of the customers, dashboard, funnel, forecast, due and report pages: owner, period (this or last
 * week, month, quarter, a date range), class, stage, region and tag, kept in the page address (?owner=lixia&
 * period=last_month …) so that a reload, a bookmark or a link to another of these pages keeps them.
 * Every figure is computed here from the build's filter data (assets/kehu/filters.json) exactly as kehu's
 * figures are computed (kehu/core/figures.py: the same events, the same rules), so the dashboard filtered by a
 * member and a period shows what `kehu report` says for them. The page's own numbers come back when the filter
 * is cleared. All text is set with textContent: no value from the data is ever parsed as HTML.
 */
(function () {
  "use strict";

  var bar = document.querySelector(".kehu-filterbar");
  if (!bar) return;
  var KINDS = (bar.getAttribute("data-kehu-filters") || "").split(" ").filter(Boolean);
  var MEANS = bar.getAttribute("data-period-means") || "";   // events | created | "" (no period here)
  var PAGE = (document.querySelector("[data-kehu-page]") || {}).getAttribute ?
    document.querySelector("[data-kehu-page]").getAttribute("data-kehu-page") : "";
  var DEFAULT_PERIOD = PAGE === "report" ? "this_week" : (MEANS === "events" ? "this_month" : "");
  var PAGES = ["", "customers", "due", "funnel", "forecast", "report"];  // where the filter goes along
  var built = bar.getAttribute("data-built");
  var words = {};
  var tpl = document.getElementById("kehu-filter-words");
  if (tpl) tpl.content.querySelectorAll("span").forEach(function (s) { words[s.getAttribute("data-key")] = s.textContent; });
  function w(key) { return words[key] || key; }

  /* --- days: integers counted from the build day, as the data holds them ------------------------------ */

  // the viewer's date, as kehu.js reads it (loaded first: render.ASSETS); ?today=YYYY-MM-DD pretends it
  var viewerToday = window.kehuViewerToday;
  var BASE = Date.parse(built + "T00:00:00Z");
  function dayOf(iso) { return Math.round((Date.parse(iso + "T00:00:00Z") - BASE) / 86400000); }
  function isoOf(day) { return new Date(BASE + day * 86400000).toISOString().slice(0, 10); }
  var TODAY_ISO = viewerToday(bar.getAttribute("data-tz"));
  var T = dayOf(TODAY_ISO);

  function monthDay(y, m) {  // the first day of month m (1-based, may overflow) of year y
    var n = y * 12 + (m - 1);
    return dayOf(Math.floor(n / 12) + "-" + String(n % 12 + 1).padStart(2, "0") + "-01");
  }
  function periodOf(value) {
    if (!value) return null;
    var p = TODAY_ISO.split("-").map(Number), y = p[0], m = p[1];
    var q = 3 * Math.floor((m - 1) / 3) + 1, start, last, found;
    if (value === "this_week" || value === "last_week") {
      var weekday = (new Date(BASE + T * 86400000).getUTCDay() + 6) % 7;
      start = T - weekday - (value === "last_week" ? 7 : 0);
      return { start: start, last: start + 6 };
    }
    if (value === "this_month") return { start: monthDay(y, m), last: monthDay(y, m + 1) - 1 };
    if (value === "last_month") return { start: monthDay(y, m - 1), last: monthDay(y, m) - 1 };
    if (value === "this_quarter") return { start: monthDay(y, q), last: monthDay(y, q + 3) - 1 };
    if (value === "last_quarter") return { start: monthDay(y, q - 3), last: monthDay(y, q) - 1 };
    if ((found = /^(\d{4})-(\d{2})$/.exec(value))) {
      return { start: monthDay(+found[1], +found[2]), last: monthDay(+found[1], +found[2] + 1) - 1 };
    }
    if ((found = /^(\d{4})-Q([1-4])$/.exec(value))) {
      var first = 3 * (+found[2] - 1) + 1;
      return { start: monthDay(+found[1], first), last: monthDay(+found[1], first + 3) - 1 };
    }
    if ((found = /^(\d{4}-\d{2}-\d{2})\.\.(\d{4}-\d{2}-\d{2})$/.exec(value))) {
      start = dayOf(found[1]); last = dayOf(found[2]);
      return last >= start ? { start: start, last: last } : null;
    }
    return null;
  }
  function monthKey(day) { return isoOf(day).slice(0, 7); }
  function quarterKey(day) { var s = isoOf(day); return s.slice(0, 4) + "-Q" + (Math.floor((+s.slice(5, 7) - 1) / 3) + 1); }
  function monthOf(day) { var s = isoOf(day).split("-").map(Number); return { start: monthDay(s[0], s[1]), last: monthDay(s[0], s[1] + 1) - 1, key: monthKey(day), kind: "month" }; }
  function quarterOf(day) {
    var s = isoOf(day).split("-").map(Number), q = 3 * Math.floor((s[1] - 1) / 3) + 1;
    return { start: monthDay(s[0], q), last: monthDay(s[0], q + 3) - 1, key: quarterKey(day), kind: "quarter" };
  }

  /* --- the state: what the address says ---------------------------------------------------------------- */

  function readState() {
    var q = new URLSearchParams(window.location.search), st = {};
    ["owner", "period", "class", "stage", "region", "tag"].forEach(function (k) { st[k] = q.get(k) || ""; });
    return st;
  }
  function active(st) { return KINDS.some(function (k) { return st[k]; }); }
  function query(st) {
    var q = new URLSearchParams(window.location.search);
    ["owner", "period", "class", "stage", "region", "tag"].forEach(function (k) { if (st[k]) q.set(k, st[k]); else q.delete(k); });
    var s = q.toString();
    return s ? "?" + s : "";
  }
  var ROOT = new URL(bar.getAttribute("data-src"), window.location.href).href.replace(/assets\/kehu\/filters\.json$/, "");
  function carry(st) {  // links to the other filterable pages keep the filter
    var s = query(st);
    document.querySelectorAll("a[href]").forEach(function (a) {
      var u;
      try { u = new URL(a.getAttribute("href"), window.location.href); } catch (e) { return; }
      if (u.origin !== window.location.origin || u.hash && u.pathname === window.location.pathname) return;
      var rest = u.href.split("#")[0].split("?")[0];
      if (rest.indexOf(ROOT) !== 0) return;
      var page = rest.slice(ROOT.length).replace(/(\/|\.html|index\.html)$/, "").replace(/\/index$/, "");
      if (PAGES.indexOf(page) < 0 && !(page === "index" && PAGES.indexOf("") >= 0)) return;
      a.setAttribute("href", rest + s + (u.hash || ""));
    });
  }

  /* --- the data ----------------------------------------------------------------------------------------- */

  var D = null;
  function idx(list, value) { return list.indexOf(value); }

  function customerOk(c, st, withOwner, withPeriod, range) {
    if (withOwner && st.owner && D.owners[c[2]] !== st.owner) return false;
    if (st.class && D.classes[c[3]] !== st.class) return false;
    if (st.stage && D.stages[c[4]] !== st.stage) return false;
    if (st.region && D.regions[c[6]] !== st.region) return false;
    if (st.tag && c[7].indexOf(idx(D.tags, st.tag)) < 0) return false;
    if (withPeriod && range && (c[8] === null || c[8] < range.start || c[8] > range.last)) return false;
    return true;
  }

  function bucket(day, soon) {
    if (day < T) return "overdue";
    if (day === T) return "today";
    return day - T <= soon ? "soon" : "later";
  }

  // the figures of kehu.core.figures.figures(), for the customers that match (owner: the customer's)
  function snapshot(st, range) {
    var out = { customers: 0, overdue: 0, today: 0, soon: 0, dormant: 0, complaints: 0 };
    var reached = D.funnel.map(function () { return 0; });
    D.customers.forEach(function (c) {
      if (!customerOk(c, st, true, MEANS === "created", range)) return;
      out.customers += 1;
      if (D.statuses[c[5]] === "dormant") out.dormant += 1;
      out.complaints += c[12];
      for (var i = 0; i <= c[9] && i < reached.length; i++) reached[i] += 1;
      if (c[10] !== null && c[10] > T) return;  // quiet: held back until its quiet period ends
      c[11].forEach(function (d) { var b = bucket(d, D.soon); if (b !== "later") out[b] += 1; });
    });
    D.funnel.forEach(function (s, i) {
      out["reached_" + s] = reached[i];
      if (i > 0) out["conversion_" + s] = reached[i - 1] ? round(reached[i] / reached[i - 1], 4) : null;
    });
    out.conversion = reached[0] ? round(reached[reached.length - 1] / reached[0], 4) : null;
    return out;
  }

  function pipeline(st, from, to) {  // open opportunities: their own owner; closing in [from, to] when given
    var out = { count: 0, amount: 0, weighted: 0 };
    D.opps.forEach(function (o) {
      if (st.owner && D.owners[o[1]] !== st.owner) return;
      if (!customerOk(D.customers[o[0]], st, false, false)) return;
      if (from !== undefined && (o[4] === null || o[4] < from || o[4] > to)) return;
      out.count += 1; out.amount += o[2]; out.weighted += o[2] * o[3];
    });
    return out;
  }

  var FIGURES = ["contacted", "interactions", "visits", "new_customers", "stage_moves", "won_count", "won_amount",
    "opps_opened", "opps_opened_amount", "opps_won", "opps_won_amount", "opps_lost", "opps_lost_amount",
    "complaints_opened", "complaints_resolved"];
  var FIGURE_EVENTS = { contacted: "interaction", interactions: "interaction", visits: "interaction",
    new_customers: "new", stage_moves: "stage_move", won_count: "deal", won_amount: "deal", opps_opened: "opp_opened",
    opps_opened_amount: "opp_opened", opps_won: "opp_won", opps_won_amount: "opp_won", opps_lost: "opp_lost",
    opps_lost_amount: "opp_lost", complaints_opened: "complaint_opened", complaints_resolved: "complaint_resolved" };

  // kehu.core.figures.activity(): counts of events (contacted: distinct customers), sums of amounts
  function activity(st, range, who, attrs) {
    var out = {}, behind = {};
    FIGURES.forEach(function (f) { out[f] = 0; behind[f] = {}; });
    D.events.forEach(function (e) {
      if (e[1] < range.start || e[1] > range.last) return;
      if (who && D.owners[e[2]] !== who) return;
      if (attrs && !customerOk(D.customers[e[3]], st, false, false)) return;
      var kind = D.event_kinds[e[0]];
      FIGURES.forEach(function (f) {
        if (FIGURE_EVENTS[f] !== kind || (f === "visits" && D.details[e[5]] !== "visit")) return;
        behind[f][e[3]] = true;
        if (/_amount$/.test(f)) out[f] += e[4];
        else if (f !== "contacted") out[f] += 1;
      });
    });
    out.contacted = Object.keys(behind.contacted).length;
    FIGURES.forEach(function (f) { if (/_amount$/.test(f)) out[f] = round(out[f], 2); });
    return { figures: out, behind: behind };
  }

  /* --- targets: kehu.core.figures.target() and target_progress() ------------------------------------ */

  function ownTarget(key, who, metric) {
    var t = D.targets[key];
    if (!t) return null;
    var found = who ? (t.members || {})[who] : t.team;
    return found && found[metric] !== undefined ? found[metric] : null;
  }
  function monthsOf(p) { return [0, 1, 2].map(function (i) { var s = isoOf(p.start).split("-").map(Number); return monthKey(monthDay(s[0], s[1] + i)); }); }
  function targetOf(p, who, metric) {
    var v = ownTarget(p.key, who, metric);
    if (v === null && p.kind === "quarter") {
      var given = monthsOf(p).map(function (k) { return ownTarget(k, who, metric); }).filter(function (x) { return x !== null; });
      v = given.length ? given.reduce(function (a, b) { return a + b; }, 0) : null;
    }
    return v;
  }
  function target(p, who, metric) {
    var v = targetOf(p, who, metric);
    if (v === null && !who) {
      var keys = [p.key].concat(p.kind === "quarter" ? monthsOf(p) : []), members = {};
      keys.forEach(function (k) { if (D.targets[k]) Object.keys(D.targets[k].members || {}).forEach(function (h) { members[h] = true; }); });
      var given = Object.keys(members).sort().map(function (h) { return targetOf(p, h, metric); }).filter(function (x) { return x !== null; });
      v = given.length ? given.reduce(function (a, b) { return a + b; }, 0) : null;
    }
    return v;
  }
  var METRIC_FIGURE = { won: "won_amount", new_customers: "new_customers", visits: "visits" };
  function progress(st, day) {  // the targets of the month and quarter holding `day`, done up to it
    var out = [];
    [monthOf(day), quarterOf(day)].forEach(function (p) {
      var done = activity(st, { start: p.start, last: Math.min(p.last, day) }, st.owner, false).figures;
      ["won", "new_customers", "visits"].forEach(function (metric) {
        var goal = target(p, st.owner, metric);
        if (goal === null) return;
        var actual = done[METRIC_FIGURE[metric]];
        var weighted = metric === "won" ? round(pipeline({ owner: st.owner }, day, p.last).weighted, 2) : 0;
        out.push({ period: p.key, metric: metric, target: goal, actual: actual, gap: round(Math.max(goal - actual, 0), 2),
                   attained: goal ? actual / goal : null, weighted: weighted });
      });
    });
    return out;
  }

  /* --- showing numbers ----------------------------------------------------------------------------- */

  function round(v, n) { var f = Math.pow(10, n); return Math.round(v * f) / f; }
  function isMoney(name) { return /(_amount|pipeline_open|pipeline_weighted|\.won(_actual|_gap)?)$/.test(name); }
  function shown(name, v) {
    if (v === null || v === undefined) return "—";
    if (/conversion/.test(name)) return Math.round(v * 100) + "%";
    if (isMoney(name)) return Math.round(v).toLocaleString("en-US");
    return String(v);
  }
  var originals = new Map();
  function setFigure(el, name, value) {
    var target = el.querySelector(".kehu-kpi-n") || el;
    if (!originals.has(el)) originals.set(el, [el.getAttribute("data-value"), target.textContent]);
    el.setAttribute("data-value", JSON.stringify(value === undefined ? null : value));
    target.textContent = shown(name, value);
  }
  function restoreFigures() {
    originals.forEach(function (v, el) { el.setAttribute("data-value", v[0]); (el.querySelector(".kehu-kpi-n") || el).textContent = v[1]; });
  }
  function updateFigures(values) {
    document.querySelectorAll("[data-figure]").forEach(function (el) {
      var name = el.getAttribute("data-figure");
      if (Object.prototype.hasOwnProperty.call(values, name)) setFigure(el, name, values[name]);
    });
  }

  function el(tag, text, cls) {
    var e = document.createElement(tag);
    if (text !== undefined && text !== null) e.textContent = String(text);
    if (cls) e.className = cls;
    return e;
  }

  /* --- the pages ----------------------------------------------------------------------------------- */

  function rangeFor(st) { return periodOf(st.period || DEFAULT_PERIOD); }

  function figuresFor(st) {  // every figure name this page may show, for the state
    var range = rangeFor(st), values = snapshot(st, range), pipe = pipeline(st);
    values.pipeline_count = pipe.count; values.pipeline_open = round(pipe.amount, 2); values.pipeline_weighted = round(pipe.weighted, 2);
    ["this_month", "last_month", "this_quarter", "last_quarter"].forEach(function (k) {
      var won = activity(st, periodOf(k), st.owner, true).figures;
      values["won_" + k + "_count"] = won.won_count; values["won_" + k + "_amount"] = won.won_amount;
    });
    if (MEANS === "events" && range) {
      var act = activity(st, range, st.owner, true).figures;
      FIGURES.forEach(function (f) { values["period." + f] = act[f]; });
      values["period.pipeline_weighted"] = range.last < T ? 0 : round(pipeline(st, Math.max(T, range.start), range.last).weighted, 2);
    }
    return values;
  }

  var targetsBody = null, targetsOriginal = null;
  function showTargets(st) {
    var table = document.querySelector(".kehu-targets table");
    if (!table) return;
    var body = table.tBodies[0];
    if (targetsOriginal === null) targetsOriginal = Array.prototype.slice.call(body.rows);
    var range = rangeFor(st);
    if (!range) return;
    var rows = progress(st, Math.min(range.last, T));
    var weighted = body.querySelector(".kehu-weighted");
    Array.prototype.slice.call(body.rows).forEach(function (r) { if (r !== weighted) body.removeChild(r); });
    rows.forEach(function (t) {
      var tr = el("tr", null, "kehu-target"), money = t.metric === "won";
      tr.appendChild(el("th", w("target.line") + " " + t.period + " · " + w("target." + t.metric)));
      [["", t.target], ["_actual", t.actual], ["_gap", t.gap]].forEach(function (x) {
        var td = el("td", null, "kehu-num"), span = el("span", money ? Math.round(x[1]).toLocaleString("en-US") : x[1], "kehu-figure");
        span.setAttribute("data-figure", "period.target." + t.period + "." + t.metric + x[0]);
        span.setAttribute("data-value", JSON.stringify(x[1]));
        td.appendChild(span);
        if (x[0] === "_actual" && t.attained !== null) td.appendChild(el("span", " " + Math.round(t.attained * 100) + "%", "kehu-muted"));
        tr.appendChild(td);
      });
      body.insertBefore(tr, weighted);
    });
    var none = document.querySelector(".kehu-no-target");
    if (none) none.hidden = rows.length > 0;
  }
  function restoreTargets() {
    var table = document.querySelector(".kehu-targets table");
    if (!table || targetsOriginal === null) return;
    var body = table.tBodies[0];
    body.textContent = "";
    targetsOriginal.forEach(function (r) { body.appendChild(r); });
  }

  function dueFilter(ok) {
    var page = document.querySelector(".kehu-due-page");
    if (!page) return;
    var counts = { overdue: 0, today: 0, soon: 0 };
    page.querySelectorAll(".kehu-due-item").forEach(function (item) {
      var out = ok !== null && !ok[item.getAttribute("data-id")];
      item.classList.toggle("kehu-filtered-out", out);
      var b = item.getAttribute("data-bucket");
      if (!out && !item.hidden && counts[b] !== undefined) counts[b] += 1;
    });
    page.querySelectorAll(".kehu-due-group").forEach(function (g) {
      g.classList.toggle("kehu-filtered-out", !g.querySelector(".kehu-due-item:not([hidden]):not(.kehu-filtered-out)"));
    });
    page.querySelectorAll("[data-count]").forEach(function (n) { n.textContent = counts[n.getAttribute("data-count")]; });
  }

  var reportOriginal = null;
  function showReport(st) {
    var body = document.getElementById("kehu-report-body");
    if (!body) return;
    if (reportOriginal === null) reportOriginal = Array.prototype.slice.call(body.childNodes);
    var range = rangeFor(st), base = body.getAttribute("data-base");
    var span = document.querySelector(".kehu-report-span");
    if (span && range) span.textContent = isoOf(range.start) + " – " + isoOf(range.last);
    var who = st.owner ? [st.owner] : [""].concat(D.owners.filter(function (h) {
      return D.inactive.indexOf(h) < 0 || D.customers.some(function (c) { return D.owners[c[2]] === h; });
    }));
    body.textContent = "";
    var labels = {}, colon = body.getAttribute("data-colon"), sep = body.getAttribute("data-sep");
    reportOriginal.forEach(function (n) {  // the figures' names, as the page was built with them
      if (n.querySelectorAll) n.querySelectorAll("[data-label]").forEach(function (e) {
        labels[e.getAttribute("data-figure").split(".").pop()] = e.getAttribute("data-label");
      });
    });
    who.forEach(function (h) {
      var sec = el("section", null, "kehu-report-part");
      sec.setAttribute("data-owner", h);
      sec.appendChild(el("h2", h ? D.owner_names[idx(D.owners, h)] : w("team")));
      var ul = el("ul", null, "kehu-report-figures"), act = activity(st, range, h, true);
      var overdue = 0, late = {};
      D.customers.forEach(function (c, i) {
        if ((h && D.owners[c[2]] !== h) || !customerOk(c, st, false, false) || (c[10] !== null && c[10] > T)) return;
        c[11].forEach(function (d) { if (d < T) { overdue += 1; late[i] = true; } });
      });
      FIGURES.concat(["overdue"]).forEach(function (f) {
        var li = el("li"), value = f === "overdue" ? overdue : act.figures[f];
        var fig = el("span", (labels[f] || f) + " " + shown(f, value), "kehu-figure");
        fig.setAttribute("data-figure", "report." + (h || "team") + "." + f);
        fig.setAttribute("data-value", JSON.stringify(value));
        li.appendChild(fig);
        var ids = f === "overdue" ? Object.keys(late) : (f === "interactions" || /_amount$/.test(f) ? [] : Object.keys(act.behind[f]));
        ids.forEach(function (i, k) {
          li.appendChild(document.createTextNode(k ? sep : colon));
          var c = D.customers[+i], a = el("a", c[1]);
          a.href = base.replace(/X(\/|\.html)?$/, encodeURIComponent(c[0]) + "$1");
          li.appendChild(a);
        });
        ul.appendChild(li);
      });
      progress({ owner: h }, Math.min(range.last, T)).forEach(function (t) {
        var money = t.metric === "won";
        var fmt = function (v) { return money ? Math.round(v).toLocaleString("en-US") : String(v); };
        ul.appendChild(el("li", w("target.line") + " " + t.period + " · " + w("target." + t.metric) + colon +
          fmt(t.target) + " · " + w("done") + " " + fmt(t.actual) +
          (t.attained !== null ? " (" + Math.round(t.attained * 100) + "%)" : "") + " · " + w("gap") + " " + fmt(t.gap),
          "kehu-target"));
      });
      sec.appendChild(ul);
      body.appendChild(sec);
    });
  }
  function restoreReport() {
    var body = document.getElementById("kehu-report-body");
    if (!body || reportOriginal === null) return;
    body.textContent = "";
    reportOriginal.forEach(function (n) { body.appendChild(n); });
  }

  function matching(st) {  // customer id -> true, for the pages that list customers
    var range = MEANS === "created" ? periodOf(st.period) : null, ok = {};
    D.customers.forEach(function (c) { if (customerOk(c, st, true, MEANS === "created", range)) ok[c[0]] = true; });
    return ok;
  }

  function apply(st) {
    var on = active(st);
    bar.classList.toggle("kehu-filter-on", on);
    var note = bar.querySelector(".kehu-filter-note");
    if (note) note.hidden = !on;
    if (!on) {
      restoreFigures(); restoreTargets(); restoreReport(); dueFilter(null);
      window.kehuCustomerFilter = null;
      if (window.kehuRefilter) window.kehuRefilter();
      return;
    }
    updateFigures(figuresFor(st));
    if (MEANS === "events") showTargets(st);
    showReport(st);
    var ok = matching(st);
    dueFilter(ok);
    window.kehuCustomerFilter = function (id) { return !!ok[id]; };
    if (window.kehuRefilter) window.kehuRefilter();
  }

  /* --- the bar ----------------------------------------------------------------------------------- */

  function select(kind, options, value) {
    var s = el("select", null, "kehu-select kehu-filter-" + kind);
    s.setAttribute("aria-label", w(kind));
    s.setAttribute("data-filter", kind);
    var all = el("option", w(kind) + (document.documentElement.lang === "en" ? ": " : "：") + w("all"));
    all.value = "";
    s.appendChild(all);
    options.forEach(function (o) { var op = el("option", o[1]); op.value = o[0]; s.appendChild(op); });
    if (value && !options.some(function (o) { return o[0] === value; })) {
      var extra = el("option", value); extra.value = value; s.appendChild(extra);
    }
    s.value = value || "";
    return s;
  }

  function build(st) {
    bar.textContent = "";
    var controls = {};
    KINDS.forEach(function (kind) {
      var options = [];
      if (kind === "owner") options = D.owners.map(function (h, i) { return [h, D.owner_names[i] + (D.inactive.indexOf(h) >= 0 ? w("left") : "")]; });
      if (kind === "class") options = D.classes.map(function (k, i) { return [k, D.class_labels[i]]; });
      if (kind === "stage") options = D.stages.map(function (k, i) { return [k, D.stage_labels[i]]; });
      if (kind === "region") options = D.regions.map(function (r) { return [r, r]; });
      if (kind === "tag") options = D.tags.map(function (t, i) { return [t, D.tag_labels[i]]; });
      if (kind === "period") {
        options = ["this_week", "last_week", "this_month", "last_month", "this_quarter", "last_quarter", "range"]
          .map(function (k) { return [k, w("period." + k)]; });
      }
      var value = kind === "period" && /\.\./.test(st.period) ? "range" : st[kind];
      var s = select(kind, options, value);
      if (kind === "period" && MEANS === "created") s.title = w("period.created");
      controls[kind] = s;
      bar.appendChild(s);
    });
    var from = el("input"), to = el("input");
    [from, to].forEach(function (i, k) { i.type = "date"; i.className = "kehu-filter-date"; i.setAttribute("aria-label", w(k ? "to" : "from")); });
    var m = /^(\d{4}-\d{2}-\d{2})\.\.(\d{4}-\d{2}-\d{2})$/.exec(st.period || "");
    if (m) { from.value = m[1]; to.value = m[2]; }
    var dates = el("span", null, "kehu-filter-range");
    dates.appendChild(from); dates.appendChild(el("span", "–")); dates.appendChild(to);
    dates.hidden = !(controls.period && controls.period.value === "range");
    if (controls.period) bar.appendChild(dates);
    var clear = el("button", w("clear"), "kehu-filter-clear");
    clear.type = "button";
    bar.appendChild(clear);
    var note = el("span", w("note"), "kehu-muted kehu-filter-note");
    bar.appendChild(note);

    function change() {
      var next = {};
      ["owner", "period", "class", "stage", "region", "tag"].forEach(function (k) { next[k] = controls[k] ? controls[k].value : readState()[k]; });
      if (controls.period) {
        dates.hidden = controls.period.value !== "range";
        if (controls.period.value === "range") next.period = from.value && to.value ? from.value + ".." + to.value : "";
      }
      window.history.replaceState(null, "", window.location.pathname + query(next) + window.location.hash);
      carry(next);
      apply(next);
    }
    Object.keys(controls).forEach(function (k) { controls[k].addEventListener("change", change); });
    from.addEventListener("change", change); to.addEventListener("change", change);
    clear.addEventListener("click", function () {
      Object.keys(controls).forEach(function (k) { controls[k].value = ""; });
      from.value = ""; to.value = ""; change();
    });
    bar.hidden = false;
  }

  function start(data) {
    D = data;
    // the customers page: this bar replaces its own owner, class and stage lists
    document.querySelectorAll('.kehu-filters .kehu-select[data-col="4"], .kehu-filters .kehu-select[data-col="5"], .kehu-filters .kehu-select[data-col="7"]')
      .forEach(function (s) { s.value = ""; s.hidden = true; });
    var st = readState();
    build(st);
    carry(st);
    apply(st);
  }

  function go() {
    if (!window.fetch) return;
    window.fetch(bar.getAttribute("data-src")).then(function (r) { return r.ok ? r.json() : null; })
      .then(function (data) { if (data) start(data); })
      .catch(function () { bar.hidden = false; bar.textContent = w("unavailable"); });
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", go);
  else go();
})();
