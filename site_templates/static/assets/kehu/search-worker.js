/* kehu search worker (vendored, no dependencies, nothing fetched from another host).
 *
 * The site keeps Material's search box and result list; this worker replaces Material's (lunr over one
 * search_index.json that holds every entry) and speaks the same messages: SETUP (0) -> READY (1),
 * QUERY (2) -> RESULT (3). The customers are in a sharded index written by kehu.site.search:
 *   search/kehu/manifest.json  shard count, documents per chunk, how many phone digits the site shows, and
 *                              the starts of terms split by one more character (a large book's ids, pinyin)
 *   search/kehu/t<N>.json      term -> [name postings (doc*128 + position*2 + word start, deltas), text docs (deltas)]
 *   search/kehu/d<N>.json      [location, name, teaser] of documents N*chunk … (N+1)*chunk-1
 * so a query loads one shard per distinct leading character of its terms and one chunk per result shown. A
 * start the build split has an entry "<start>*" in its shard: every document of the terms below it, so a query
 * that short still reads one shard (its entry starts with the query, and the matching below finds it).
 *
 * Matching: Chinese by character pairs (any substring of two or more characters; one character matches
 * the pairs it starts), Latin words and digits by prefix (pinyin and initials of the name from any
 * syllable on, ids, words of the text), 4+ digits also as the end of a contact's phone — only the digits
 * the site shows (the last four on a masked site). Every word of the query must match; a Chinese word of
 * three or more characters whose pairs are at least half there (启明 … 安泰 for 启明安泰) is listed last. Ranking: the name
 * contains the whole query word (starting a word, then inside one), the name's pinyin or initials, the
 * name contains its characters apart, then the text; ties by document number (= shortest name first).
 */
"use strict";

var SETUP = 0, READY = 1, QUERY = 2, RESULT = 3;
var LIMIT = 50;
var INVISIBLE = /[\u00ad\u180e\u200b-\u200f\u202a-\u202e\u2060-\u2064\ufeff]/g;
var HAN = /^[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]/;
var TOKEN = /[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+|[0-9a-z]+/g;
var root = new URL("../../../search/", self.location.href);  // the worker lives in assets/javascripts/workers/
var manifest = null;
var small = [];            // the few entries Material hands over (team members), searched in full
var files = {};            // url -> Promise of parsed JSON
var latest = 0;            // number of the newest query: an older one that finishes later is not reported

function load(name) {
  if (!files[name]) {
    files[name] = fetch(new URL("kehu/" + name, root).href)
      .then(function (r) { return r.ok ? r.json() : null; })
      .catch(function () { return null; });
  }
  return files[name];
}

function norm(text) {
  return String(text || "").normalize("NFKC").replace(INVISIBLE, "").toLowerCase();
}

// the same function as kehu.site.search.route: the term's first character (first two if Latin), one character
// longer while the build split that start (manifest.deep: a start -> the characters that follow it in the longer
// starts it was split into)
function route(term) {
  var deep = manifest.deep || {};
  var key = term.charCodeAt(0) < 128 ? term.slice(0, 2) : term.slice(0, 1);
  while (Object.prototype.hasOwnProperty.call(deep, key) && term.length > key.length) {
    key = term.slice(0, key.length + 1);
  }
  return key;
}

// the same function as kehu.site.search.shard_of: FNV-1a over the term's route
function shardOf(key, shards) {
  var h = 0x811c9dc5;
  for (var i = 0; i < key.length; i++) {
    h ^= key.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h % shards;
}

function shardFile(key) { return "t" + shardOf(key, manifest.shards) + ".json"; }

// the shard that holds ``term``
function shard(term) {
  return load(shardFile(route(term))).then(function (s) { return s || {}; });
}

function undelta(list) {
  var out = new Array(list.length), last = 0;
  for (var i = 0; i < list.length; i++) { last += list[i]; out[i] = last; }
  return out;
}

// name postings of one term: Map doc -> [encoded positions]
function namePostings(entry) {
  var map = new Map();
  if (!entry) return map;
  undelta(entry[0]).forEach(function (n) {
    var doc = Math.floor(n / 128);
    if (!map.has(doc)) map.set(doc, []);
    map.get(doc).push(n % 128);
  });
  return map;
}

function textDocs(entry) { return entry ? new Set(undelta(entry[1])) : new Set(); }

function raise(map, doc, tier) { if (!(map.get(doc) >= tier)) map.set(doc, tier); }

/* doc -> tier for one query word */
function matchHan(word) {
  if (word.length === 1) {
    return shard(word).then(function (s) {
      var out = new Map();
      Object.keys(s).forEach(function (t) {
        if (t.charAt(0) !== word) return;
        namePostings(s[t]).forEach(function (pos, doc) {
          raise(out, doc, pos.some(function (p) { return p & 1; }) ? 6 : 5);
        });
        textDocs(s[t]).forEach(function (doc) { raise(out, doc, 1); });
      });
      return out;
    });
  }
  var pairs = [];
  for (var i = 0; i + 1 < word.length; i++) pairs.push(word.slice(i, i + 2));
  return Promise.all(pairs.map(function (p) { return shard(p).then(function (s) { return s[p]; }); }))
    .then(function (entries) {
      var out = new Map();
      var names = entries.map(namePostings), texts = entries.map(textDocs);
      var seen = new Set();
      names.forEach(function (m) { m.forEach(function (_, doc) { seen.add(doc); }); });
      texts.forEach(function (s) { s.forEach(function (doc) { seen.add(doc); }); });
      seen.forEach(function (doc) {
        var inName = 0, anywhere = 0;
        for (var k = 0; k < entries.length; k++) {
          var n = names[k].has(doc);
          if (n) inName++;
          if (n || texts[k].has(doc)) anywhere++;
        }
        if (anywhere < entries.length) {
          // most of the pairs (a word of the query elsewhere, or one character mistyped): listed last
          if (entries.length >= 2 && anywhere * 2 >= entries.length) out.set(doc, 0.5);
          return;
        }
        if (inName === entries.length) {
          // contiguous: pair k starts at character p + k
          var best = 0;
          names[0].get(doc).forEach(function (code) {
            var p = code >> 1;
            for (var k = 1; k < entries.length; k++) {
              var ok = names[k].get(doc).some(function (c) { return (c >> 1) === p + k; });
              if (!ok) return;
            }
            best = Math.max(best, code & 1 ? 6 : 5);
          });
          out.set(doc, best || 3);
        } else {
          out.set(doc, 1);
        }
      });
      return out;
    });
}

function matchLatin(word) {
  var term = word.slice(0, manifest.pinyin_max);
  var jobs = [shard(term).then(function (s) {
    var out = new Map();
    Object.keys(s).forEach(function (t) {
      if (t.lastIndexOf(term, 0) !== 0) return;
      namePostings(s[t]).forEach(function (_, doc) { raise(out, doc, t === term ? 5 : 4); });
      textDocs(s[t]).forEach(function (doc) { raise(out, doc, 1); });
    });
    return out;
  })];
  if (/^\d+$/.test(word) && word.length >= manifest.phone_min) {
    var tail = manifest.phone_tail && word.length > manifest.phone_tail ? word.slice(-manifest.phone_tail) : word;
    var key = "#" + tail;
    jobs.push(shard(key).then(function (s) {
      var out = new Map();
      textDocs(s[key]).forEach(function (doc) { out.set(doc, 2); });
      return out;
    }));
  }
  return Promise.all(jobs).then(function (maps) {
    var out = maps[0];
    for (var i = 1; i < maps.length; i++) maps[i].forEach(function (tier, doc) { raise(out, doc, tier); });
    return out;
  });
}

function escapeHTML(s) {
  return String(s).replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");
}

function highlight(text, words) {
  var html = escapeHTML(text);
  words.forEach(function (w) {
    var needle = escapeHTML(w).replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
    if (needle) html = html.replace(new RegExp("(" + needle + ")(?![^<]*>)", "gi"), "<mark data-md-highlight>$1</mark>");
  });
  return html.replace(/<\/mark><mark data-md-highlight>/g, "");
}

function searchSmall(words) {
  var out = [];
  small.forEach(function (d) {
    var title = norm(d.title), text = norm(d.text), total = 0;
    for (var i = 0; i < words.length; i++) {
      if (title.indexOf(words[i]) >= 0) total += 5;
      else if (text.indexOf(words[i]) >= 0) total += 1;
      else return;
    }
    out.push({ doc: d, score: total / words.length });
  });
  return out;
}

function item(location, title, text, score, terms) {
  return [{ location: location, title: title, text: text, score: score, terms: terms }];
}

function search(query) {
  var words = norm(query).match(TOKEN) || [];
  words = words.filter(function (w) { return w.length >= 2 || !/^[0-9a-z]$/.test(w); });
  if (!words.length || !manifest) return Promise.resolve({ items: [] });
  var terms = {};
  words.forEach(function (w) { terms[w] = true; });
  var raw = (String(query).match(TOKEN) || []);
  return Promise.all(words.map(function (w) { return (HAN.test(w) ? matchHan : matchLatin)(w); }))
    .then(function (maps) {
      var scored = [];
      maps[0].forEach(function (tier, doc) {
        var total = tier;
        for (var i = 1; i < maps.length; i++) {
          var t = maps[i].get(doc);
          if (!t) return;
          total += t;
        }
        scored.push([total / maps.length, doc]);
      });
      scored.sort(function (a, b) { return b[0] - a[0] || a[1] - b[1]; });
      var shown = scored.slice(0, LIMIT);
      var chunks = Array.from(new Set(shown.map(function (s) { return Math.floor(s[1] / manifest.chunk); })));
      return Promise.all(chunks.map(function (c) { return load("d" + c + ".json"); })).then(function (loaded) {
        var byChunk = {};
        chunks.forEach(function (c, i) { byChunk[c] = loaded[i] || []; });
        var hits = words.concat(raw);
        var items = [];
        searchSmall(words).forEach(function (m) {
          items.push([m.score, item(m.doc.location, m.doc.title, m.doc.text, m.score, terms)]);
        });
        shown.forEach(function (s) {
          var d = byChunk[Math.floor(s[1] / manifest.chunk)][s[1] % manifest.chunk];
          if (d) items.push([s[0], item(d[0], highlight(d[1], hits), highlight(d[2], hits), s[0], terms)]);
        });
        items.sort(function (a, b) { return b[0] - a[0]; });
        var result = items.map(function (x) { return x[1]; });
        if (scored.length > LIMIT && manifest.more) {
          var more = manifest.more.replace("{n}", String(scored.length - LIMIT));
          result.push(item(manifest.more_location || "", escapeHTML(more), "", 0, terms));
        }
        return { items: result };
      });
    });
}

self.addEventListener("message", function (ev) {
  var message = ev.data || {};
  if (message.type === SETUP) {
    small = (message.data && message.data.docs) || [];
    load("manifest.json").then(function (m) {
      manifest = m;
      postMessage({ type: READY });
    });
  } else if (message.type === QUERY) {
    var mine = ++latest;
    search(message.data).then(function (result) {
      if (mine === latest) postMessage({ type: RESULT, data: result });
    }, function () {
      if (mine === latest) postMessage({ type: RESULT, data: { items: [] } });
    });
  }
});
