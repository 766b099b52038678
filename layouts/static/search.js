/* Bản tin search: the normaliser (the same rules as generator/text.py), the index reader and the
   /tim-kiem/ page. Plain JavaScript, no framework; it fetches only the site's own index files. */
(function () {
  "use strict";

  // ---- The normaliser: tests check it against tests/vectors/normalise.json, like the Python one.
  var MARKS = /\p{M}+/gu;
  var TONES = /[\u0300\u0301\u0303\u0309\u0323]/g;
  var TOKEN = /[\p{L}\p{N}]+|[^\p{L}\p{N}\s]/gu;
  var LETTERS = /[\p{L}\p{N}]+/gu;
  var SYLLABLE = /^([bcdđfghjklmnpqrstvwxz]*)([aăâeêioôơuưy]+)([bcdđfghjklmnpqrstvwxz]*)$/;
  var TONE_ON_SECOND = ["oa", "oe", "uy"];

  function fold(text) {
    var decomposed = text.normalize("NFC").toLowerCase().normalize("NFD");
    return decomposed.replace(MARKS, "").replace(/đ/g, "d").normalize("NFC");
  }

  function placeTone(word) {
    var decomposed = word.normalize("NFD");
    var tones = decomposed.match(TONES);
    if (!tones || tones.length !== 1) return word;
    var bare = decomposed.replace(TONES, "").normalize("NFC");
    var shape = SYLLABLE.exec(bare);
    if (!shape) return word;
    var onset = shape[1], vowels = shape[2], coda = shape[3];
    var start = onset.length;
    if (vowels.length > 1 && ((onset === "q" && vowels[0] === "u") || (onset === "g" && vowels[0] === "i"))) {
      start += 1;
      vowels = vowels.slice(1);
    }
    var at = -1;
    for (var i = 0; i < vowels.length; i++) if ("ăâêôơư".indexOf(vowels[i]) >= 0) at = i;
    if (at < 0) {
      if (vowels.length === 1) at = 0;
      else if (coda || vowels.length === 3) at = coda ? vowels.length - 1 : 1;
      else at = TONE_ON_SECOND.indexOf(vowels) >= 0 ? 1 : 0;
    }
    at += start;
    return (bare.slice(0, at) + bare[at].normalize("NFD") + tones[0] + bare.slice(at + 1)).normalize("NFC");
  }

  function exact(text) {
    return text.normalize("NFC").toLowerCase().replace(LETTERS, placeTone);
  }

  // Words and single punctuation marks, case kept; a bigram never spans a punctuation mark.
  function searchTokens(text) {
    return text.normalize("NFC").replace(/_/g, "-").match(TOKEN) || [];
  }

  function isWord(token) {
    return /^[\p{L}\p{N}]/u.test(token);
  }

  function words(text) {
    return searchTokens(text).filter(isWord).map(function (word) { return word.toLowerCase(); });
  }

  // ---- Reading the index files (see generator/search.py for their layout).
  // Bonuses are multiples of (idf + 1): rare words count more, and a word found in every article
  // (such as "Thanh Hóa" on a Thanh Hóa bulletin) still counts when it is in the title.
  var TITLE_BONUS = 1.0;
  var BIGRAM_BONUS = 1.0;
  var EXACT_BONUS = 1.0;
  var NAME_BONUS = 1.0;
  var RECENCY = 0.2;
  var HALF_LIFE_DAYS = 180;
  var PREFIX_MIN = 2;
  var PREFIX_TERMS = 4;
  var PAGE = 10;

  var ENCODER = new TextEncoder(), DECODER = new TextDecoder();

  function fnv1a(text) {
    var bytes = ENCODER.encode(text);
    var hash = 0x811c9dc5;
    for (var i = 0; i < bytes.length; i++) hash = Math.imul(hash ^ bytes[i], 0x01000193) >>> 0;
    return hash;
  }

  function Reader(bytes) {
    this.bytes = bytes;
    this.at = 0;
  }
  Reader.prototype.varint = function () {
    var value = 0, shift = 0, byte;
    do {
      byte = this.bytes[this.at++];
      value += (byte & 0x7f) * Math.pow(2, shift);
      shift += 7;
    } while (byte & 0x80);
    return value;
  };
  Reader.prototype.text = function () {
    var length = this.varint();
    var value = DECODER.decode(this.bytes.subarray(this.at, this.at + length));
    this.at += length;
    return value;
  };

  function idf(df, total) {
    return Math.log(1 + (total - df + 0.5) / (df + 0.5));
  }

  function bonus(df, total) {
    return idf(df, total) + 1;
  }

  function Index(base) {
    this.base = base;
    this.files = new Map();
    this.meta = null;
  }

  Index.prototype.load = function (name) {
    var index = this;
    if (!this.files.has(name)) {
      var url = this.base + name + (this.meta ? "?v=" + this.meta.version : "");
      var promise = fetch(url, this.meta ? {} : { cache: "no-cache" }).then(function (response) {
        if (!response.ok) throw new Error(name + ": " + response.status);
        return response.arrayBuffer();
      }).then(function (buffer) {
        var bytes = new Uint8Array(buffer);
        if (bytes[0] !== 0x1f || bytes[1] !== 0x8b) return bytes; // the server already unpacked it
        var stream = new Blob([bytes]).stream().pipeThrough(new DecompressionStream("gzip"));
        return new Response(stream).arrayBuffer().then(function (plain) { return new Uint8Array(plain); });
      });
      promise.catch(function () { index.files.delete(name); });
      this.files.set(name, promise);
    }
    return this.files.get(name);
  };

  Index.prototype.ready = function () {
    var index = this;
    if (!this.metaPromise) {
      this.metaPromise = this.load("meta.json").then(function (bytes) {
        var meta = JSON.parse(DECODER.decode(bytes));
        for (var i = 1; i < meta.days.length; i++) meta.days[i] = meta.days[i - 1] - meta.days[i];
        index.shardStarts = [];
        meta.shardStarts.reduce(function (at, delta) { index.shardStarts.push(at + delta); return at + delta; }, 0);
        index.starts = [0];  // the first document of each document file
        meta.documentRuns.forEach(function (run, n) { index.starts.push(index.starts[n] + run); });
        index.big = new Map(meta.big.map(function (term, number) { return [term, number]; }));
        index.spread = new Set(meta.spread);
        index.meta = meta;
        return meta;
      });
      this.metaPromise.catch(function () { index.metaPromise = null; });
    }
    return this.metaPromise;
  };

  // A shard ("t/3.bin", or "x/5.bin" for one big list): term → {df, bytes} over its decompressed bytes.
  Index.prototype.shard = function (name) {
    var key = "terms:" + name;
    if (!this.files.has(key)) {
      this.files.set(key, this.load(name).then(function (bytes) {
        var reader = new Reader(bytes), count = reader.varint(), heads = [];
        for (var i = 0; i < count; i++) heads.push([reader.text(), reader.varint(), reader.varint()]);
        var terms = new Map(), at = reader.at;
        heads.forEach(function (head) {
          terms.set(head[0], { df: head[1], bytes: bytes.subarray(at, at + head[2]), decoded: null });
          at += head[2];
        });
        return terms;
      }));
    }
    return this.files.get(key);
  };

  // The file that holds a term: its own when its list is big; else the shard of its hash, where a
  // bigram is hashed by its first word (so a phrase's words come together) unless that word's are spread.
  Index.prototype.fileOf = function (term) {
    var number = this.big.get(term);
    if (number !== undefined) return "x/" + number + ".bin";
    if (term.endsWith("*")) return "f/" + (fnv1a(term) % this.meta.formShards) + ".bin";
    var space = term.indexOf(" "), first = term.slice(0, space);
    var home = space > 0 && !this.spread.has(first) ? first : term;
    var bucket = fnv1a(home) % this.meta.buckets, starts = this.shardStarts, low = 0, high = starts.length - 1;
    while (low < high) {  // the last shard whose first bucket is at or before this one
      var middle = (low + high + 1) >> 1;
      if (starts[middle] <= bucket) low = middle; else high = middle - 1;
    }
    return "t/" + low + ".bin";
  };

  function readGaps(reader, count) {
    var docs = new Uint32Array(count), doc = 0;
    for (var i = 0; i < count; i++) {
      doc += reader.varint();
      docs[i] = doc;
    }
    return docs;
  }

  // A syllable's postings: documents, weight levels with the title bit, accented forms and their masks.
  function decodeSyllable(entry, total) {
    if (entry.decoded) return entry.decoded;
    var reader = new Reader(entry.bytes), df = entry.df, docs;
    if (df * 2 > total) {  // in most documents: the list names those without it
      var absent = readGaps(reader, total - df), n = 0, a = 0;
      docs = new Uint32Array(df);
      for (var doc = 0; doc < total; doc++) {
        if (a < absent.length && absent[a] === doc) a++;
        else docs[n++] = doc;
      }
    } else {
      docs = readGaps(reader, df);
    }
    var levels = entry.bytes.subarray(reader.at, reader.at + df);
    reader.at += df;
    entry.decoded = { docs: docs, levels: levels, forms: [], masks: null, df: df, formsApart: false };
    readForms(entry.decoded, reader);
    return entry.decoded;
  }

  // The accented forms of a syllable and each document's mask of them; a count of 0 means that they
  // are kept apart, as the entry "term*", fetched only for a query typed with diacritics.
  function readForms(list, reader) {
    var count = reader.varint();
    list.formsApart = count === 0;
    if (count > 1) {
      for (var i = 0; i < count; i++) list.forms.push(reader.text());
      list.masks = new Uint32Array(list.df);
      for (var j = 0; j < list.df; j++) list.masks[j] = reader.varint();
    }
  }

  // The documents in both of two ascending lists.
  function intersect(a, b) {
    var out = new Uint32Array(Math.min(a.length, b.length)), n = 0, i = 0, j = 0;
    while (i < a.length && j < b.length) {
      if (a[i] < b[j]) i++;
      else if (a[i] > b[j]) j++;
      else { out[n++] = a[i]; i++; j++; }
    }
    return out.subarray(0, n);
  }

  // A bigram's postings: the documents with the two words in a row, those where they are a name, and
  // those where they are in the title. Either as lists (form 0) or as one byte of flags per document
  // that has both words (form 1), whose lists `first` and `second` are.
  function decodeBigram(entry, first, second) {
    if (!entry.decoded) {
      var reader = new Reader(entry.bytes), docs, names = new Set(), titled = new Set();
      if (entry.bytes[0] === 1) {
        var within = intersect(first.docs, second.docs), n = 0;
        docs = new Uint32Array(entry.df);
        for (var i = 0; i < within.length; i++) {
          var flags = entry.bytes[1 + i];
          if (!flags) continue;
          docs[n++] = within[i];
          if (flags & 2) names.add(within[i]);
          if (flags & 4) titled.add(within[i]);
        }
      } else {
        reader.at = 1;
        docs = readGaps(reader, entry.df);
        names = new Set(readGaps(reader, reader.varint()));
        titled = new Set(readGaps(reader, reader.varint()));
      }
      entry.decoded = { docs: docs, df: entry.df, names: names, titled: titled };
    }
    return entry.decoded;
  }

  Index.prototype.term = function (term) {
    return this.shard(this.fileOf(term)).then(function (terms) { return terms.get(term) || null; });
  };

  // Completions of a prefix from the vocabulary files: the most common terms that start with it.
  Index.prototype.complete = function (prefix) {
    var firsts = this.meta.vocabulary, numbers = [];
    for (var i = 0; i < firsts.length; i++) {
      var next = i + 1 < firsts.length ? firsts[i + 1] : null;
      if ((next === null || next > prefix) && (i === 0 || firsts[i] <= prefix + "\uffff")) numbers.push(i);
    }
    var index = this;
    return Promise.all(numbers.map(function (n) { return index.load("v/" + n + ".bin"); })).then(function (files) {
      var found = [];
      files.forEach(function (bytes) {
        DECODER.decode(bytes).split("\n").forEach(function (line) {
          var space = line.indexOf(" ");
          var term = line.slice(0, space);
          if (space > 0 && term.startsWith(prefix) && term !== prefix) found.push([term, +line.slice(space + 1)]);
        });
      });
      found.sort(function (a, b) { return b[1] - a[1] || (a[0] < b[0] ? -1 : 1); });
      return found.slice(0, PREFIX_TERMS).map(function (item) { return item[0]; });
    });
  };

  // The words of a title folded and joined by hyphens: the start of its article's address (see address() in
  // generator/search.py).
  function slugOf(title) {
    return words(title).map(fold).join("-");
  }

  // The number of the document file that holds a document: the last one starting at or before it.
  Index.prototype.fileOfDocument = function (doc) {
    var low = 0, high = this.starts.length - 2;
    while (low < high) {
      var middle = (low + high + 1) >> 1;
      if (this.starts[middle] <= doc) low = middle; else high = middle - 1;
    }
    return low;
  };

  Index.prototype.documents = function (docs) {
    var index = this, wanted = new Set();
    docs.forEach(function (doc) { wanted.add(index.fileOfDocument(doc)); });
    var numbers = Array.from(wanted);
    return Promise.all(numbers.map(function (n) { return index.load("d/" + n + ".bin"); })).then(function (files) {
      var byFile = new Map();
      numbers.forEach(function (n, i) { byFile.set(n, JSON.parse(DECODER.decode(files[i]))); });
      return docs.map(function (doc) {
        var file = index.fileOfDocument(doc), record = byFile.get(file)[doc - index.starts[file]];
        var category = index.meta.categories[record[3]] || ["", ""];
        var url = record[0];
        if (typeof url === "number") url = index.meta.address + slugOf(record[1]).slice(0, url) + "/";
        return { doc: doc, url: url, title: record[1], date: record[2], category: category[0], lead: record[4] };
      });
    });
  };

  // ---- Queries.

  // The words of a query: folded, exact, whether typed with marks, and which pairs are bigrams.
  function parseQuery(text, typing) {
    var nfc = text.normalize("NFC");
    var tokens = [], quoted = false, phrase = 0, broken = true;
    searchTokens(nfc).forEach(function (token) {
      if (token === "\"" || token === "“" || token === "”") {
        quoted = !quoted;
        phrase += 1;
        broken = true;
      } else if (isWord(token)) {
        var lower = token.toLowerCase();
        tokens.push({
          folded: fold(lower), exact: placeTone(lower), phrase: quoted ? phrase : 0,
          joined: !broken, prefix: false
        });
        broken = false;
      } else {
        broken = true;
      }
    });
    tokens.forEach(function (t) { t.marked = t.exact !== t.folded; });
    var last = tokens[tokens.length - 1];
    if (typing && last && !/[\s"”]$/.test(nfc)) last.prefix = true;
    if (last && last.prefix && last.folded.length < PREFIX_MIN && tokens.length > 1) tokens.pop();
    return tokens;
  }

  function Search(index) {
    this.index = index;
  }

  // Every matching document in ranked order, as {total, docs, scores, words}; `typing` makes the last
  // word a prefix. Every file the query needs is asked for at once.
  Search.prototype.run = function (text, options) {
    var index = this.index, typing = !!(options && options.typing), category = options && options.category;
    return index.ready().then(function (meta) {
      var tokens = parseQuery(text, typing);
      if (!tokens.length || (tokens.length === 1 && tokens[0].prefix && tokens[0].folded.length < PREFIX_MIN)) {
        return { total: 0, docs: [], words: tokens, empty: true };
      }
      var words = Promise.all(tokens.map(function (token) {
        var whole = index.term(token.folded).then(function (entry) { return entry ? [[token.folded, entry]] : []; });
        if (!token.prefix) return whole;
        return Promise.all([whole, index.complete(token.folded)]).then(function (found) {
          return Promise.all(found[1].map(function (term) { return index.term(term); })).then(function (entries) {
            entries.forEach(function (entry, i) { if (entry) found[0].push([found[1][i], entry]); });
            return found[0];
          });
        });
      }));
      words = words.then(function (found) {
        return Promise.all(found.map(function (lists, i) {
          var token = tokens[i];
          if (!token.marked || !lists.length || lists[0][0] !== token.folded) return lists;
          var list = decodeSyllable(lists[0][1], meta.documents);
          if (!list.formsApart) return lists;
          return index.term(token.folded + "*").then(function (extra) {
            if (extra && list.formsApart) readForms(list, new Reader(extra.bytes));
            return lists;
          });
        }));
      });
      var number = -1;
      if (category) meta.categories.forEach(function (c, i) { if (c[1] === category) number = i; });
      var filter = number >= 0 ? index.load("c/" + number + ".bin") : Promise.resolve(null);
      return Promise.all([words, filter, bigrams(index, tokens)]).then(function (found) {
        return rank(meta, tokens, found[0], found[1], found[2]);
      });
    });
  };

  // Bigrams of neighbouring words; while typing, the last word counts only as the whole word typed so far.
  function bigrams(index, tokens) {
    var pairs = [];
    for (var i = 1; i < tokens.length; i++) {
      var a = tokens[i - 1], b = tokens[i];
      var required = !b.prefix && a.phrase > 0 && a.phrase === b.phrase;
      if (b.joined) pairs.push({ term: a.folded + " " + b.folded, first: a.folded, second: b.folded, required: required });
    }
    return Promise.all(pairs.map(function (pair) {
      return index.term(pair.term).then(function (entry) {
        pair.entry = entry;
        return pair;
      });
    }));
  }

  function rank(meta, tokens, entries, categoryBytes, pairs) {
    var total = meta.documents, unit = meta.unit;
    var groups = [], i;
    for (i = 0; i < tokens.length; i++) {
      if (!entries[i].length) return { total: 0, docs: [], words: tokens };
      groups.push({ token: tokens[i], lists: entries[i] });
    }
    var hits = new Uint16Array(total), score = new Float64Array(total), need = 0, syllables = new Map();
    groups.forEach(function (group) {
      var token = group.token, weight = bonus(group.lists[0][1].df, total), marker = need + 1;
      group.lists.forEach(function (item) {
        var list = decodeSyllable(item[1], total);
        syllables.set(item[0], list);
        var form = token.marked && list.masks && item[0] === token.folded ? list.forms.indexOf(token.exact) : -1;
        var exactBonus = EXACT_BONUS * weight;
        for (var j = 0; j < list.df; j++) {
          var doc = list.docs[j];
          if (hits[doc] !== need) continue;
          hits[doc] = marker;
          var level = list.levels[j];
          score[doc] += (level & 0x7f) * unit;
          if (level & 0x80) score[doc] += TITLE_BONUS * weight;
          if (form >= 0 && list.masks[j] & (1 << form)) score[doc] += exactBonus;
        }
      });
      need = marker;
    });
    pairs.forEach(function (pair) {
      if (!pair.entry) {
        if (pair.required) need = -1;
        return;
      }
      var list = decodeBigram(pair.entry, syllables.get(pair.first), syllables.get(pair.second)), weight = bonus(list.df, total), marker = need + 1;
      var nameWeight = NAME_BONUS * bonus(list.names.size, total);
      for (var j = 0; j < list.df; j++) {
        var doc = list.docs[j];
        if (hits[doc] !== need) continue;
        score[doc] += BIGRAM_BONUS * weight + (list.names.has(doc) ? nameWeight : 0);
        if (list.titled.has(doc)) score[doc] += TITLE_BONUS * weight;
        if (pair.required) hits[doc] = marker;
      }
      if (pair.required) need = marker;
    });
    if (need < 0) return { total: 0, docs: [], words: tokens };
    if (categoryBytes) {
      var reader = new Reader(categoryBytes), doc = 0, marker = need + 1;
      while (reader.at < categoryBytes.length) {
        doc += reader.varint();
        if (hits[doc] === need) hits[doc] = marker;
      }
      need = marker;
    }
    var found = [], days = meta.days, stride = meta.dateStride;
    for (var d = 0; d < total; d++) {
      if (hits[d] !== need) continue;
      var age = days[0] - days[Math.min(days.length - 1, Math.floor(d / stride))];
      found.push([d, score[d] * (1 + RECENCY * Math.pow(0.5, age / HALF_LIFE_DAYS))]);
    }
    found.sort(function (a, b) { return b[1] - a[1] || a[0] - b[0]; });
    return {
      total: found.length, words: tokens,
      docs: found.map(function (f) { return f[0]; }), scores: found.map(function (f) { return f[1]; })
    };
  }

  // ---- The page.

  function highlight(text, words) {
    var fragment = document.createDocumentFragment(), at = 0;
    var nfc = text.normalize("NFC"), match;
    LETTERS.lastIndex = 0;
    while ((match = LETTERS.exec(nfc)) !== null) {
      var folded = fold(match[0]);
      var hit = words.some(function (w) { return w.prefix ? folded.startsWith(w.folded) : folded === w.folded; });
      if (!hit) continue;
      fragment.appendChild(document.createTextNode(nfc.slice(at, match.index)));
      var mark = document.createElement("mark");
      mark.textContent = match[0];
      fragment.appendChild(mark);
      at = match.index + match[0].length;
    }
    fragment.appendChild(document.createTextNode(nfc.slice(at)));
    return fragment;
  }

  function shortDate(iso) {
    return iso.slice(8, 10) + "/" + iso.slice(5, 7) + "/" + iso.slice(0, 4);
  }

  function resultItem(record, words) {
    var item = document.createElement("li");
    var story = document.createElement("article");
    story.className = "story search-result";
    var heading = document.createElement("h2");
    heading.className = "story-title";
    var link = document.createElement("a");
    link.href = record.url;
    link.appendChild(highlight(record.title, words));
    heading.appendChild(link);
    var meta = document.createElement("p");
    meta.className = "meta";
    var category = document.createElement("span");
    category.className = "story-category";
    category.textContent = record.category;
    var time = document.createElement("time");
    time.dateTime = record.date;
    time.textContent = shortDate(record.date);
    meta.append(category, " · ", time);
    story.append(heading, meta);
    if (record.lead) {
      var lead = document.createElement("p");
      lead.className = "story-summary";
      lead.appendChild(highlight(record.lead, words));
      story.appendChild(lead);
    }
    item.appendChild(story);
    return item;
  }

  function Page(root) {
    this.root = root;
    this.form = root.querySelector("form");
    this.input = this.form.elements.q;
    this.category = this.form.elements["chuyen-muc"];
    this.status = root.querySelector("[data-search-status]");
    this.list = root.querySelector("[data-search-results]");
    this.more = root.querySelector("[data-search-more]");
    this.search = new Search(new Index(root.getAttribute("data-index")));
    this.serial = 0;
    this.kept = true;
    this.timer = 0;
    this.result = null;
    this.shown = 0;
  }

  // The box and the filter as the address says (on arrival, and on Back and Forward).
  Page.prototype.fromAddress = function () {
    var params = new URLSearchParams(location.search);
    this.input.value = params.get("q") || "";
    if (this.category) this.category.value = params.get("chuyen-muc") || "";
  };

  Page.prototype.start = function () {
    var page = this;
    this.fromAddress();
    if (typeof DecompressionStream !== "function") {
      this.say("Trình duyệt này chưa tìm kiếm được; hãy cập nhật trình duyệt.");
      return;
    }
    this.root.classList.add("search-ready");
    this.form.addEventListener("submit", function (event) {
      event.preventDefault();
      page.run(false, true);
    });
    this.input.addEventListener("input", function () {
      clearTimeout(page.timer);
      page.timer = setTimeout(function () { page.run(true, false); }, 120);
    });
    if (this.category) this.category.addEventListener("change", function () { page.run(false, true); });
    window.addEventListener("popstate", function () {
      page.fromAddress();
      page.run(false, true);
    });
    this.more.addEventListener("click", function () { page.showMore(true); });
    this.input.addEventListener("keydown", function (event) {
      if (event.key === "ArrowDown") page.focusResult(0, event);
    });
    this.list.addEventListener("keydown", function (event) {
      var links = page.links(), at = links.indexOf(document.activeElement);
      if (at < 0) return;
      if (event.key === "ArrowDown") page.focusResult(at + 1, event);
      else if (event.key === "ArrowUp") {
        if (at === 0) { event.preventDefault(); page.input.focus(); } else page.focusResult(at - 1, event);
      } else if (event.key === "Escape") { event.preventDefault(); page.input.focus(); }
    });
    if (this.input.value.trim()) this.run(false, false);
    else this.search.index.ready().catch(function () {});  // the small summary, so the first query starts sooner
  };

  Page.prototype.links = function () {
    return Array.from(this.list.querySelectorAll(".story-title a"));
  };

  Page.prototype.focusResult = function (at, event) {
    var links = this.links();
    if (!links.length) return;
    event.preventDefault();
    links[Math.min(at, links.length - 1)].focus();
  };

  // The address follows the box, so any search can be shared. Typing rewrites the current history
  // entry; a submitted search (Enter, the button, the filter) stays in history for Back.
  Page.prototype.remember = function (push) {
    var params = new URLSearchParams();
    var query = this.input.value.trim();
    if (query) params.set("q", query);
    if (this.category && this.category.value) params.set("chuyen-muc", this.category.value);
    var url = location.pathname + (params.toString() ? "?" + params.toString() : "");
    if (url !== location.pathname + location.search) {
      history[this.kept ? "pushState" : "replaceState"](null, "", url);
    }
    this.kept = push;
  };

  Page.prototype.say = function (text) {
    this.status.textContent = text;
  };

  Page.prototype.run = function (typing, push) {
    var page = this, serial = ++this.serial, query = this.input.value;
    this.remember(push);
    if (!query.trim()) {
      this.list.replaceChildren();
      this.more.hidden = true;
      this.say("");
      this.root.removeAttribute("data-query");
      return Promise.resolve();
    }
    this.root.setAttribute("aria-busy", "true");
    var category = this.category ? this.category.value : "";
    return this.search.run(query, { typing: typing, category: category }).then(function (result) {
      if (serial !== page.serial) return;
      page.result = result;
      page.shown = 0;
      page.list.replaceChildren();
      if (result.empty) {
        page.more.hidden = true;
        page.say("Gõ thêm chữ để tìm.");
        return;
      }
      if (!result.total) {
        page.more.hidden = true;
        page.say("Không tìm thấy kết quả cho “" + query.trim() + "”.");
        return;
      }
      return page.showMore(false);
    }).catch(function () {
      if (serial === page.serial) page.say("Không tải được dữ liệu tìm kiếm. Vui lòng thử lại.");
    }).then(function () {
      if (serial !== page.serial) return;
      page.root.removeAttribute("aria-busy");
      page.root.setAttribute("data-query", query);  // which query the list now answers
    });
  };

  Page.prototype.showMore = function (focus) {
    var page = this, result = this.result, serial = this.serial;
    var docs = result.docs.slice(this.shown, this.shown + PAGE);
    return this.search.index.documents(docs).then(function (records) {
      if (serial !== page.serial) return;
      var first = null;
      records.forEach(function (record) {
        var item = resultItem(record, result.words);
        first = first || item;
        page.list.appendChild(item);
      });
      page.shown += records.length;
      page.more.hidden = page.shown >= result.total;
      page.say("Tìm thấy " + result.total.toLocaleString("vi-VN") + " kết quả" +
        (page.shown < result.total ? ", đang hiện " + page.shown + "." : "."));
      if (focus && first) first.querySelector("a").focus();
    });
  };

  window.BanTinSearch = {
    fold: fold, exact: exact, placeTone: placeTone, words: words, searchTokens: searchTokens, fnv1a: fnv1a,
    Index: Index, Search: Search
  };

  var root = document.querySelector("[data-search]");
  if (root) {
    window.BanTinSearch.page = new Page(root);
    window.BanTinSearch.page.start();
  }
})();
