// The matter search on the phone (/m/search.js): the server's ranking (src/search.rs and
// src/search/ngram.rs), step for step, over the data the server builds from the same texts and
// vocabulary (/m/search-index, src/search/offline.rs). A query gives the same matters in the
// same order offline as online; tests/it/offline_search.rs holds the two to it on every query
// of the inspectors' query sets.
//
// Rust ranks in f32: every sum, product and quotient here is rounded to f32 (Math.fround), which
// gives exactly Rust's result for + - * /. The values that need a logarithm come computed by the
// server, per document frequency (data.tables). Characters are Unicode code points, as Rust's.
// Written like mobile.js (no build step, no dependency), with ES2015 built-ins (Map, Set, typed
// arrays, Array.from, Math.fround) and, where the engine has them, Unicode property escapes for
// Rust's is_alphanumeric and is_whitespace (an older engine gets close approximations).
'use strict';
(function (root) {
  var F = Math.fround;
  var FORMAT = 1;

  // ---- characters, as Rust classifies them ----
  var wordRe = null, spaceRe = null;
  try {
    wordRe = new RegExp('^[\\p{Alphabetic}\\p{N}]$', 'u');
    spaceRe = new RegExp('^\\p{White_Space}$', 'u');
  } catch (e) { /* an old engine: the approximations below */ }
  var wordCache = {};
  function cp(c) { return c.codePointAt(0); }
  function isHan(c) {
    var x = cp(c);
    return (x >= 0x4e00 && x <= 0x9fff) || (x >= 0x3400 && x <= 0x4dbf);
  }
  function isCjk(c) { var x = cp(c); return x >= 0x4e00 && x <= 0x9fff; }
  // Rust's char::is_alphanumeric (Alphabetic or Numeric), or a Han character.
  function isWordChar(c) {
    var v = wordCache[c];
    if (v === undefined) {
      v = isHan(c) || (wordRe ? wordRe.test(c) : /[0-9A-Za-z\u00c0-\u024f\u0370-\u03ff\u0400-\u04ff]/.test(c));
      wordCache[c] = v;
    }
    return v;
  }
  function isSpace(c) {
    return spaceRe ? spaceRe.test(c) : /\s/.test(c) && c !== '\ufeff';
  }
  function isLower(c) { return c >= 'a' && c <= 'z' && c.length === 1; }
  function isDigit(c) { return c >= '0' && c <= '9' && c.length === 1; }
  function chars(s) { return Array.from(s); }
  // Full-width ASCII to half-width, ideographic space to space.
  function widen(s) {
    return chars(s).map(function (c) {
      var x = cp(c);
      if (x >= 0xff01 && x <= 0xff5e) return String.fromCodePoint(x - 0xfee0);
      return x === 0x3000 ? ' ' : c;
    }).join('');
  }
  function normalize(s) { return widen(s).toLowerCase(); }
  function trim(s) {
    var cs = chars(s), a = 0, b = cs.length;
    while (a < b && isSpace(cs[a])) a++;
    while (b > a && isSpace(cs[b - 1])) b--;
    return cs.slice(a, b).join('');
  }
  function contains(list, x) { return list.indexOf(x) >= 0; }
  function fsum(xs) { var s = 0; for (var i = 0; i < xs.length; i++) s = F(s + xs[i]); return s; }
  function popcount(x) {
    x >>>= 0;
    x = x - ((x >>> 1) & 0x55555555);
    x = (x & 0x33333333) + ((x >>> 2) & 0x33333333);
    return Math.imul((x + (x >>> 4)) & 0x0f0f0f0f, 0x01010101) >>> 24;
  }

  // ---- numerals (src/numerals.rs, the part a query's article number uses) ----
  var DIGIT = { '零': 0, '〇': 0, '一': 1, '二': 2, '两': 2, '三': 3, '四': 4, '五': 5, '六': 6, '七': 7, '八': 8, '九': 9 };
  var SMALL = { '十': 10, '百': 100, '千': 1000 };
  function numeralChar(c) { return isDigit(c) || '零〇一二两三四五六七八九十百千'.indexOf(c) >= 0; }
  // A positive whole number that fits in u32, or null (Rust's `numeral`).
  function numeral(cs) {
    if (!cs.length) return null;
    var group = 0, current = null, i = 0;
    while (i < cs.length) {
      var c = cs[i];
      if (isDigit(c)) {
        var s = '';
        while (i < cs.length && isDigit(cs[i])) s += cs[i++];
        // rust_decimal reads at most 28 significant digits.
        if (s.replace(/^0+/, '').length > 28) return null;
        current = Number(s);
        continue;
      }
      if (DIGIT[c] !== undefined) current = DIGIT[c];
      else if (SMALL[c] !== undefined) {
        group += (current === null ? 1 : current) * SMALL[c];
        current = null;
      } else return null;
      i++;
    }
    var n = group + (current === null ? 0 : current);
    return n > 0 && n <= 4294967295 ? n : null;
  }
  // `第?N款` / `第?N项` at at[0]; advances past it.
  function subNumber(s, at, unit) {
    var i = at[0];
    if (s[i] === '第') i++;
    var b = i;
    while (i < s.length && numeralChar(s[i])) i++;
    if (i > b && s[i] === unit) {
      var n = numeral(s.slice(b, i));
      if (n === null) return null;
      at[0] = i + 1;
      return n;
    }
    return null;
  }
  function findArticle(s) {
    for (var j = 0; j < s.length; j++) {
      if (s[j] !== '条') continue;
      var a = j;
      while (a > 0 && numeralChar(s[a - 1])) a--;
      var article = numeral(s.slice(a, j));
      if (article === null) continue;
      var start = a > 0 && s[a - 1] === '第' ? a - 1 : a;
      var end = [j + 1];
      var paragraph = subNumber(s, end, '款');
      var item = subNumber(s, end, '项');
      return {
        start: start, end: end[0], explicit: start < a || isDigit(s[a]),
        article: article, paragraph: paragraph, item: item
      };
    }
    return null;
  }

  // ---- pinyin: every character's usual reading (data.sounds), initials of names and keys ----
  var SOUND_DIGITS = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz-_';
  function soundTable(runs) {
    var table = new Map();
    runs.forEach(function (run) {
      var code = run[0], text = run[1];
      for (var i = 0; i + 1 < text.length; i += 2, code++) {
        var k = SOUND_DIGITS.indexOf(text[i]) * 64 + SOUND_DIGITS.indexOf(text[i + 1]);
        if (k) table.set(code, k);
      }
    });
    return table;
  }

  // ---- the n-gram ranking (src/search/ngram.rs) ----
  // Terms: BIGRAM, UNIGRAM, SYLLABLES, SKIP of a pair (a, b) (a unigram is the pair (0, c)).
  // The index keys a term by small numbers (characters and syllables numbered as first met,
  // kind·base² + a·base + b: a small integer, which Maps hash fast); a query's terms are also
  // summed in Rust's order, by (kind, code point a, code point b): order·2^45 + a·2^24 + b.
  var BIGRAM = 0, UNIGRAM = 1, SYLLABLES = 2, SKIP = 3, ORDER = Math.pow(2, 45);
  function order(kind, a, b) { return kind * ORDER + a * 16777216 + b; }
  // A text's code points (the index is built over numbers: no string per character).
  function codes(text) {
    var out = [];
    for (var i = 0; i < text.length; i++) {
      var x = text.codePointAt(i);
      out.push(x);
      if (x > 0xffff) i++;
    }
    return out;
  }
  var wordCodes = new Map();
  function isWordCode(x) {
    var v = wordCodes.get(x);
    if (v === undefined) wordCodes.set(x, v = isWordChar(String.fromCodePoint(x)));
    return v;
  }
  function isHanCode(x) { return (x >= 0x4e00 && x <= 0x9fff) || (x >= 0x3400 && x <= 0x4dbf); }
  // The terms of a text (code points), per run of word characters; ids[k] numbers the k-th
  // character (0: unknown), sy[k] is its syllable's number (0: none); emit(kind, a, b, x, y)
  // gets the pair as code points or syllables (a, b) and as numbers (x, y).
  function terms(cs, ids, sy, soundAlike, emit) {
    var from = 0;
    for (var k = 0; k <= cs.length; k++) {
      if (k < cs.length && isWordCode(cs[k])) continue;
      for (var i = from; i < k; i++) {
        if (isHanCode(cs[i])) emit(UNIGRAM, 0, cs[i], 0, ids[i]);
        if (i + 2 < k) emit(SKIP, cs[i], cs[i + 2], ids[i], ids[i + 2]);
        if (i + 1 < k) {
          emit(BIGRAM, cs[i], cs[i + 1], ids[i], ids[i + 1]);
          if (sy[i] && sy[i + 1] && soundAlike(ids[i], ids[i + 1])) emit(SYLLABLES, sy[i], sy[i + 1], sy[i], sy[i + 1]);
        }
      }
      from = k + 1;
    }
  }
  // The n-gram index (NgramIndex::new): term → (matter, its BM25F contribution), kept as
  // arrays (per term, where its postings start; the postings' matters and values).
  function NgramIndex(data, sounds, fieldsOf) {
    var w = data.weights.ngram;
    this.FW = w.field.map(F);
    this.K1 = F(w.k1);
    this.B = F(w.b);
    this.kinds = [1, F(w.unigram), F(w.syllables), F(w.skip)];
    this.idfs = data.tables.idf.map(F);
    this.sounds = sounds;
    this.learned = new Map();
    this.charIds = new Map();
    var texts = fieldsOf.map(function (fields) { return fields.map(codes); });
    this.number(texts);
    var keys = this.fieldKeys(texts);
    this.group(this.weigh(keys));
    this.filler = data.filler.map(chars);
    this.filler.sort(function (a, b) { return b.length - a.length; });
  }
  // Numbers the characters and the syllables as first met in the matters' order (Rust numbers
  // the syllables so, and the key of a syllable pair depends on it).
  NgramIndex.prototype.number = function (texts) {
    var sounds = this.sounds, learned = this.learned, charIds = this.charIds;
    texts.forEach(function (fields) {
      fields.forEach(function (cs) {
        for (var i = 0; i < cs.length; i++) {
          if (!isWordCode(cs[i])) continue;
          if (!charIds.has(cs[i])) charIds.set(cs[i], charIds.size + 1);
          var s = sounds.get(cs[i]);
          if (s && !learned.has(s)) learned.set(s, learned.size + 1);
        }
      });
    });
    var base = 2;
    while (base <= Math.max(charIds.size, learned.size)) base *= 2;
    this.base = base;
  };
  NgramIndex.prototype.key = function (kind, x, y) { return (kind * this.base + x) * this.base + y; };
  // The numbers of a text's characters and of their syllables (0: none).
  NgramIndex.prototype.numbers = function (cs) {
    var ids = [], sy = [];
    for (var i = 0; i < cs.length; i++) {
      ids.push(this.charIds.get(cs[i]) || 0);
      var s = this.sounds.get(cs[i]);
      sy.push((s && this.learned.get(s)) || 0);
    }
    return { ids: ids, sy: sy };
  };
  // Per matter its terms as key·8 + field, sorted (key·8 + field fits 32 bits up to 4095
  // characters; the standards have about 1,700), and each field's length in terms.
  NgramIndex.prototype.fieldKeys = function (texts) {
    var self = this, nf = this.FW.length, base = this.base, always = function () { return true; };
    var Keys = base <= 4096 ? Int32Array : Float64Array;
    var lens = new Float64Array(texts.length * nf), total = 0;
    var sorted = texts.map(function (fields, d) {
      var ks = [];
      fields.forEach(function (cs, f) {
        var num = self.numbers(cs), before = ks.length;
        terms(cs, num.ids, num.sy, always, function (kind, a, b, x, y) {
          ks.push(((kind * base + x) * base + y) * 8 + f);
        });
        lens[d * nf + f] = ks.length - before;
      });
      total += ks.length;
      return new Keys(ks).sort();
    });
    return { sorted: sorted, lens: lens, total: total };
  };
  // Each (term, matter) pair's weight, the fields summed in their order; the terms numbered.
  NgramIndex.prototype.weigh = function (keys) {
    var FW = this.FW, B = this.B, nf = FW.length, n = keys.sorted.length, lens = keys.lens;
    var avg = FW.map(function () { return 0; }), d, f;
    for (d = 0; d < n; d++) {
      for (f = 0; f < nf; f++) avg[f] = F(avg[f] + F(Math.max(lens[d * nf + f], 1) / Math.max(n, 1)));
    }
    var p = { term: new Int32Array(keys.total), doc: new Int32Array(keys.total), w: new Float64Array(keys.total) };
    var count = 0, termOf = new Map(), termKeys = [], df = [], small = this.base <= 4096;
    for (d = 0; d < n; d++) {
      var ts = keys.sorted[d], norm = [];
      for (f = 0; f < nf; f++) {
        norm.push(F(F(1 - B) + F(F(B * Math.max(lens[d * nf + f], 1)) / Math.max(avg[f], 1))));
      }
      for (var i = 0; i < ts.length;) {
        // (Small integers as keys: Math.floor's result would be hashed as a heap number.)
        var t = small ? ts[i] >> 3 : Math.floor(ts[i] / 8), v = 0;
        while (i < ts.length && (small ? ts[i] >> 3 : Math.floor(ts[i] / 8)) === t) {
          var x = ts[i], fx = x % 8, c = 0;
          while (i < ts.length && ts[i] === x) { c++; i++; }
          v = F(v + F(F(FW[fx] * c) / norm[fx]));
        }
        var ti = termOf.get(t);
        if (ti === undefined) { ti = df.length; termOf.set(t, ti); termKeys.push(t); df.push(0); }
        df[ti]++;
        p.term[count] = ti; p.doc[count] = d; p.w[count] = v;
        count++;
      }
    }
    this.termOf = termOf;
    return { p: p, count: count, termKeys: termKeys, df: df };
  };
  // The postings grouped by term (each term's matters in order), weighted by BM25.
  NgramIndex.prototype.group = function (g) {
    var K1 = this.K1, K1p1 = F(K1 + 1), kinds = this.kinds, idfs = this.idfs, b2 = this.base * this.base;
    var starts = new Int32Array(g.df.length + 1), i;
    for (i = 0; i < g.df.length; i++) starts[i + 1] = starts[i] + g.df[i];
    var fill = starts.slice(0, g.df.length), docs = new Int32Array(g.count), values = new Float64Array(g.count);
    var idf = g.df.map(function (m, ti) { return F(idfs[m] * kinds[Math.floor(g.termKeys[ti] / b2)]); });
    for (i = 0; i < g.count; i++) {
      var ti = g.p.term[i], j = fill[ti]++, wv = g.p.w[i];
      docs[j] = g.p.doc[i];
      values[j] = F(F(F(idf[ti] * wv) * K1p1) / F(K1 + wv));
    }
    this.starts = starts;
    this.docs = docs;
    this.values = values;
  };
  // The term's number (its postings are docs/values from starts[t] to starts[t + 1]), or -1.
  NgramIndex.prototype.find = function (t) {
    var ti = this.termOf.get(t);
    return ti === undefined ? -1 : ti;
  };
  NgramIndex.prototype.withoutFiller = function (q) {
    var out = [], i = 0;
    while (i < q.length) {
      var f = null;
      for (var k = 0; k < this.filler.length && !f; k++) {
        var g = this.filler[k], j = 0;
        while (j < g.length && q[i + j] === g[j]) j++;
        if (j === g.length) f = g;
      }
      if (f) { out.push(' '); i += f.length; } else out.push(q[i++]);
    }
    return out;
  };
  // Each matter's score for the literal text `q`, added to `score`.
  NgramIndex.prototype.score = function (q, score) {
    var self = this;
    var cs = codes(this.withoutFiller(chars(normalize(q))).join(''));
    var num = this.numbers(cs);
    // A sound-alike only stands in for a pair of characters no matter has (a typo).
    var unknown = function (x, y) { return !x || !y || self.find(self.key(BIGRAM, x, y)) < 0; };
    var qs = [];
    terms(cs, num.ids, num.sy, unknown, function (kind, a, b, x, y) {
      // A term with a character no matter has has no postings.
      if (kind === SYLLABLES || (x || kind === UNIGRAM) && y) qs.push([order(kind, a, b), self.key(kind, x, y)]);
    });
    qs.sort(function (a, b) { return a[0] - b[0]; });
    for (var i = 0; i < qs.length; i++) {
      if (i > 0 && qs[i][0] === qs[i - 1][0]) continue;
      var at = this.find(qs[i][1]);
      if (at < 0) continue;
      for (var k = this.starts[at]; k < this.starts[at + 1]; k++) {
        score[this.docs[k]] = F(score[this.docs[k]] + this.values[k]);
      }
    }
  };

  // ---- the exact ranking's index (SearchIndex::new) ----
  function Index(data) {
    if (data.format !== FORMAT) throw new Error('search index format ' + data.format);
    var W = data.weights, self = this;
    this.version = data.version;
    this.W = {
      field: W.field.map(F), id: F(W.id), article: F(W.article), law: F(W.law),
      unitCode: F(W.unit_code), keyInitials: F(W.key_initials), alsoShare: F(W.also_share),
      extraWord: F(W.extra_word), orderCheck: W.order_check, inOrder: F(W.in_order),
      maxQueryChars: W.max_query_chars, ngramShare: F(W.ngram_share),
      ngramUnexplained: F(W.ngram_unexplained), cutoff: F(W.cutoff), clearMatch: F(W.clear_match),
      fallbackMin: F(W.fallback_min), fallbackHits: W.fallback_hits
    };
    this.tables = {
      rarity: data.tables.rarity.map(F), specificity: data.tables.specificity.map(F),
      singleChar: data.tables.single_char.map(F), fallback: data.tables.fallback.map(F)
    };
    this.matters = data.matters;
    this.units = data.units;
    this.sounds = soundTable(data.sounds);
    this.initials = data.initials;
    this.stopChars = data.stop_chars;
    this.laws = data.laws;
    this.lawNames = new Map(Object.keys(data.law_names).map(function (k) { return [k, data.law_names[k]]; }));
    this.unitCodes = data.unit_codes;
    var fieldsOf = data.matters.map(function (m) {
      return [m.fields[0], m.fields[1], m.fields[2], m.fields[3], data.unit_names[m.unit] || ''];
    });
    this.docs = data.matters.map(function (m) { return self.doc(m); });
    this.gramIndex(fieldsOf);
    this.synonymIndex(data.synonyms, fieldsOf);
    this.charIndex(fieldsOf);
    this.ngram = new NgramIndex(data, this.sounds, data.matters.map(function (m) { return m.fields; }));
  }
  // Bits of the first letters of a character's readings: [usual reading, all readings].
  Index.prototype.initialsOf = function (c) {
    if (isLower(c)) { var b = 1 << (cp(c) - 97); return [b, b]; }
    return this.initials[c] || [0, 0];
  };
  Index.prototype.soundOf = function (c) { return this.sounds.get(cp(c)) || 0; };
  Index.prototype.doc = function (m) {
    var self = this, name = m.fields[0], cs = chars(name);
    var cut = m.id.lastIndexOf('-');
    var prefix = cut >= 0 ? m.id.slice(0, cut) : m.id, number = cut >= 0 ? m.id.slice(cut + 1) : '';
    var boundary = [];
    for (var i = 0; i <= cs.length; i++) {
      boundary.push(i === 0 || i === cs.length || !isWordChar(cs[i - 1]) || !isWordChar(cs[i]));
    }
    return {
      name: name, nameLen: cs.length, idPrefix: prefix.toLowerCase(),
      idNumber: /^[0-9]+$/.test(number) && Number(number) <= 4294967295 ? Number(number) : 0,
      unit: m.unit.toLowerCase(),
      first: cs.map(function (c) { return self.initialsOf(c)[0]; }),
      any: cs.map(function (c) { return self.initialsOf(c)[1]; }),
      boundary: boundary,
      cites: m.cites.map(function (c) {
        return { law: c[0], article: c[1], paragraph: c[2] || null, item: c[3] || null, main: c[4] === 1 };
      })
    };
  };
  // 2-character gram → [matter, fields having it, times in the name]…; name character → matters.
  Index.prototype.gramIndex = function (fieldsOf) {
    var grams = new Map(), nameChars = new Map();
    fieldsOf.forEach(function (fields, d) {
      var mine = new Map();
      fields.forEach(function (text, f) {
        var cs = chars(text);
        for (var i = 0; i + 1 < cs.length; i++) {
          if (!isWordChar(cs[i]) || !isWordChar(cs[i + 1])) continue;
          var g = cs[i] + cs[i + 1], e = mine.get(g);
          if (!e) mine.set(g, e = [0, 0]);
          e[0] |= 1 << f;
          if (f === 0) e[1] = Math.min(e[1] + 1, 255);
        }
      });
      mine.forEach(function (e, g) {
        var list = grams.get(g);
        if (!list) grams.set(g, list = []);
        list.push([d, e[0], e[1]]);
      });
      var seen = new Set();
      chars(fields[0]).forEach(function (c) {
        if (!isWordChar(c) || seen.has(c)) return;
        seen.add(c);
        var list = nameChars.get(c);
        if (!list) nameChars.set(c, list = []);
        list.push(d);
      });
    });
    this.grams = grams;
    this.nameChars = nameChars;
  };
  Index.prototype.synonymIndex = function (synonyms, fieldsOf) {
    var self = this;
    this.synonyms = [];
    this.synonymKeys = new Map();
    this.longestKey = 0;
    // Each matter's fields joined, to find which matters have a word at all before which field.
    var joined = fieldsOf.map(function (fs) { return fs.join('\u0000'); });
    synonyms.forEach(function (s) {
      var key = chars(s[0]);
      self.longestKey = Math.max(self.longestKey, key.length);
      self.synonymKeys.set(s[0], self.synonyms.length);
      self.synonyms.push({
        hits: self.synonymHits(s[1], fieldsOf, joined),
        targets: s[1],
        initials: key.map(function (c) { return self.initialsOf(c)[1]; }),
        key: key,
        sounds: key.map(function (c) { return self.soundOf(c); })
      });
    });
    // The keys by their first character or its sound and (keys of four or more, which may have
    // one character wrong) their second (src/search.rs `TypoCandidates`): only these can be in
    // a query with a typo.
    this.typoFirst = new Map();
    this.typoSecond = new Map();
    var put = function (map, mark, k) {
      if (!map.has(mark)) map.set(mark, []);
      map.get(mark).push(k);
    };
    this.synonyms.forEach(function (syn, k) {
      [[0, self.typoFirst], [1, self.typoSecond]].forEach(function (pm) {
        var pos = pm[0];
        if ((pos === 1 && syn.key.length < 4) || pos >= syn.key.length) return;
        put(pm[1], 'c' + syn.key[pos], k);
        if (syn.sounds[pos]) put(pm[1], 's' + syn.sounds[pos], k);
      });
    });
  };
  // The keys a query's characters (with their sounds) could hold with a typo.
  Index.prototype.typoCandidates = function (q, sounds) {
    var out = new Set(), self = this;
    q.forEach(function (c, i) {
      var marks = ['c' + c];
      if (sounds[i]) marks.push('s' + sounds[i]);
      marks.forEach(function (m) {
        [self.typoFirst, self.typoSecond].forEach(function (map) {
          (map.get(m) || []).forEach(function (k) { out.add(k); });
        });
      });
    });
    return out;
  };
  // A synonym key's value per matter (src/search.rs `synonym_hits`): [matter, value, in name].
  Index.prototype.synonymHits = function (targets, fieldsOf, joined) {
    var n = fieldsOf.length, FW = this.W.field, spec = this.tables.specificity, found = new Map();
    targets.forEach(function (t, i) {
      var holders = [];
      for (var d = 0; d < n; d++) {
        if (joined[d].indexOf(t) < 0) continue;
        for (var f = 0; f < fieldsOf[d].length; f++) {
          if (fieldsOf[d][f].indexOf(t) >= 0) { holders.push([d, f]); break; }
        }
      }
      var value = spec[holders.length], len = chars(t).length;
      holders.forEach(function (h) {
        var words = found.get(h[0]);
        if (!words) found.set(h[0], words = []);
        words.push([i, F(FW[h[1]] * value), h[1] === 0 ? len : 0]);
      });
    });
    var extraWord = this.W.extraWord, hits = [];
    found.forEach(function (words, d) {
      words.sort(function (a, b) { return b[1] - a[1]; });
      var inName = 0, extra = 0, taken = 0;
      words.forEach(function (w) { inName = Math.max(inName, w[2]); });
      for (var k = 1; k < words.length && taken < 3; k++) {
        var i = words[k][0];
        var inside = words.some(function (o) { return o[0] !== i && targets[o[0]].indexOf(targets[i]) >= 0; });
        if (inside) continue;
        extra = F(extra + F(extraWord * words[k][1]));
        taken++;
      }
      hits.push([d, F(words[0][1] + extra), inName]);
    });
    hits.sort(function (a, b) { return a[0] - b[0]; });
    return hits;
  };
  // Per matter its distinct CJK characters (fields and note); each character's frequency.
  Index.prototype.charIndex = function (fieldsOf) {
    var df = new Map(), matters = this.matters;
    this.docChars = fieldsOf.map(function (fields, d) {
      var have = new Set();
      fields.concat([matters[d].fields[5]]).forEach(function (text) {
        chars(text).forEach(function (c) { if (isCjk(c)) have.add(c); });
      });
      have.forEach(function (c) { df.set(c, (df.get(c) || 0) + 1); });
      return have;
    });
    this.charDf = df;
  };

  // ---- the query (SearchIndex::parse) ----
  Index.prototype.lawNamed = function (text) {
    var t = chars(normalize(text)).filter(function (c) { return '《》〈〉"“”'.indexOf(c) < 0; }).join('');
    var len = chars(t).length;
    if (len < 2) return null;
    if (this.lawNames.has(t)) return [this.lawNames.get(t)];
    var titleLike = ['法', '条例', '规定', '办法', '细则'].some(function (e) {
      return t.length >= e.length && t.slice(t.length - e.length) === e;
    });
    if (!titleLike || len < 3) return null;
    var hits = [];
    for (var i = 0; i < this.laws.length; i++) if (this.laws[i].indexOf(t) >= 0) hits.push(i);
    return hits.length ? hits : null;
  };
  Index.prototype.parse = function (q) {
    var cs = chars(widen(q)).slice(0, this.W.maxQueryChars);
    var parts = [], rest = cs;
    var dense = [];
    for (var i = 0; i < cs.length; i++) if (!isSpace(cs[i])) dense.push(i);
    var a = findArticle(dense.map(function (i) { return cs[i]; }));
    if (a) {
      var start = dense[a.start], end = dense[a.end - 1] + 1;
      var lawEnd = start;
      while (lawEnd > 0 && isSpace(cs[lawEnd - 1])) lawEnd--;
      var lawStart = lawEnd;
      while (lawStart > 0 && !isSpace(cs[lawStart - 1])) lawStart--;
      var lawText = cs.slice(lawStart, lawEnd).join('');
      var laws = this.lawNamed(lawText);
      // Words before the article that name no law stay words, and the article only ranks.
      var narrow = laws !== null || lawText === '';
      if (laws !== null || a.explicit) {
        var cutFrom = laws !== null ? lawStart : start;
        rest = cs.slice(0, cutFrom).concat([' '], cs.slice(end));
        parts.push({
          need: 'cite', laws: laws, article: a.article, paragraph: a.paragraph, item: a.item,
          narrow: narrow, weight: narrow ? this.W.article : this.W.law
        });
      }
    }
    var words = '', term = [];
    for (var k = 0; k <= rest.length; k++) {
      var c = rest[k];
      if (k < rest.length && !isSpace(c) && ',，、;；/+。'.indexOf(c) < 0) { term.push(c); continue; }
      if (term.length) {
        var t = term.join('');
        if (this.parseTerm(t, parts)) words += t + ' ';
      }
      term = [];
    }
    return { parts: parts, words: words };
  };
  // One term: a matter id, a law, a unit code, pinyin initials, or else keys and literal text.
  Index.prototype.parseTerm = function (typed, parts) {
    var term = typed.toLowerCase();
    var whole = this.idPart(term) || this.lawPart(term) || this.unitCodePart(term) ||
      this.pinyinPart(typed, term);
    if (whole) { parts.push(whole); return false; }
    this.parseWords(term, parts);
    return true;
  };
  Index.prototype.idPart = function (term) {
    var m = /^([a-z]+)-*([\s\S]*)$/.exec(term);
    if (!m || !m[2] || !/^[0-9]+$/.test(m[2])) return null;
    var number = Number(m[2]) <= 4294967295 ? Number(m[2]) : 0;
    for (var d = 0; d < this.docs.length; d++) {
      if (this.docs[d].idPrefix === m[1] && this.docs[d].idNumber === number) {
        return { need: 'id', doc: d, weight: this.W.id };
      }
    }
    return null;
  };
  Index.prototype.lawPart = function (term) {
    var laws = this.lawNamed(term);
    return laws && { need: 'cite', laws: laws, article: null, paragraph: null, item: null, narrow: true, weight: this.W.law };
  };
  Index.prototype.unitCodePart = function (term) {
    return contains(this.unitCodes, term) ? { need: 'unit', code: term, weight: this.W.unitCode } : null;
  };
  Index.prototype.pinyinPart = function (typed, term) {
    var cs = chars(term);
    if (cs.length < 2 || !chars(typed).every(isLower) || this.synonymKeys.has(term)) return null;
    var bits = cs.map(function (c) { return 1 << (cp(c) - 97); });
    var keys = [];
    if (bits.length >= 3) {
      this.synonyms.forEach(function (s, k) {
        var ini = s.initials;
        if (ini.length === bits.length && ini.every(function (x, j) { return (x & bits[j]) !== 0; })) keys.push(k);
      });
    }
    return { need: 'pinyin', bits: bits, keys: keys, weight: F(cs.length) };
  };
  // Synonym keys, longest first from the left; literal text between them.
  Index.prototype.parseWords = function (term, parts) {
    var cs = chars(term), literal = [], i = 0;
    var flush = function () {
      if (literal.length) parts.push({ need: 'text', chars: literal, weight: F(literal.length) });
      literal = [];
    };
    while (i < cs.length) {
      var found = null;
      for (var len = Math.min(this.longestKey, cs.length - i); len >= 2 && !found; len--) {
        var k = cs.slice(i, i + len).join('');
        if (this.synonymKeys.has(k)) found = [this.synonymKeys.get(k), len];
      }
      if (found) {
        flush();
        parts.push({ need: 'synonym', key: found[0], weight: F(found[1]) });
        i += found[1];
      } else literal.push(cs[i++]);
    }
    flush();
  };

  // ---- scoring (SearchIndex::score_part, score_text) ----
  function Tally(n) {
    this.score = new Float64Array(n);
    this.weak = new Float64Array(n);
    this.matched = new Float64Array(n);
    this.nameHits = new Float64Array(n);
    this.cited = null;
  }
  Tally.prototype.credit = function (d, w, quality, nameChars) {
    if (quality > 0) {
      this.score[d] = F(this.score[d] + F(w * quality));
      this.matched[d] = F(this.matched[d] + w);
      this.nameHits[d] = F(this.nameHits[d] + nameChars);
    }
  };
  Index.prototype.scorePart = function (p, t) {
    var self = this, w = p.weight, n = this.docs.length, d;
    if (p.need === 'id') t.credit(p.doc, w, 1, 0);
    else if (p.need === 'unit') {
      for (d = 0; d < n; d++) if (this.docs[d].unit === p.code) t.credit(d, w, 1, 0);
    } else if (p.need === 'cite') {
      var cited = [];
      for (d = 0; d < n; d++) {
        var q = 0;
        this.docs[d].cites.forEach(function (c) {
          var fits = (!p.laws || contains(p.laws, c.law)) && (p.article === null || p.article === c.article) &&
            (p.paragraph === null || c.paragraph === p.paragraph) && (p.item === null || c.item === p.item);
          if (fits) q = Math.max(q, c.main ? 1 : self.W.alsoShare);
        });
        cited.push(q > 0);
        if (q > 0) t.credit(d, w, q, 0);
      }
      if (p.narrow) {
        t.cited = t.cited ? t.cited.map(function (x, i) { return x && cited[i]; }) : cited;
      }
    } else if (p.need === 'pinyin') {
      // A whole key's initials count a little less than a run of the name.
      var byKey = [];
      for (d = 0; d < n; d++) byKey.push([0, 0]);
      p.keys.forEach(function (s) {
        self.synonyms[s].hits.forEach(function (h) {
          var e = byKey[h[0]];
          e[0] = Math.max(e[0], F(self.W.keyInitials * h[1]));
          e[1] = Math.max(e[1], h[2]);
        });
      });
      for (d = 0; d < n; d++) {
        var run = pinyinQuality(this.docs[d], p.bits);
        if (run >= byKey[d][0]) t.credit(d, w, run, F(p.bits.length));
        else t.credit(d, w, byKey[d][0], byKey[d][1]);
      }
    } else if (p.need === 'synonym') {
      this.synonyms[p.key].hits.forEach(function (h) { t.credit(h[0], w, h[1], h[2]); });
    } else this.scoreText(p.chars, t);
  };
  // How well pinyin initials match a contiguous run of the name (0 when none does).
  function pinyinQuality(doc, bits) {
    var m = bits.length, n = doc.any.length, best = 0;
    if (m > n) return 0;
    for (var s = 0; s + m <= n; s++) {
      var all = true, usual = true;
      for (var j = 0; j < m && all; j++) {
        if (!(doc.any[s + j] & bits[j])) all = false;
        else if (!(doc.first[s + j] & bits[j])) usual = false;
      }
      if (!all) continue;
      var v = F(F(F(F(0.7) + (doc.boundary[s] ? F(0.12) : 0)) + (doc.boundary[s + m] ? F(0.12) : 0)) + (usual ? F(0.06) : 0));
      best = Math.max(best, v);
    }
    return best;
  }
  // Literal text: each character by the best field and rarity of a query gram covering it.
  Index.prototype.scoreText = function (cs, t) {
    var n = this.docs.length, l = cs.length, FW = this.W.field;
    var best = new Float64Array(n * l), single = new Float64Array(n * l);
    var lo = new Int32Array(n), hi = new Int32Array(n), touched = [], seen = new Uint8Array(n);
    var touch = function (d) { if (!seen[d]) { seen[d] = 1; touched.push(d); } };
    var k, i, d;
    for (k = 0; k < l; k++) {
      var list = this.nameChars.get(cs[k]);
      if (!list) continue;
      var r = this.tables.singleChar[list.length];
      for (i = 0; i < list.length; i++) { touch(list[i]); single[list[i] * l + k] = r; }
    }
    for (k = 0; k + 1 < l; k++) {
      var gl = this.grams.get(cs[k] + cs[k + 1]);
      if (!gl) continue;
      var rr = this.tables.rarity[gl.length];
      for (i = 0; i < gl.length; i++) {
        d = gl[i][0];
        var mask = gl[i][1], times = gl[i][2];
        touch(d);
        var f = 0;
        while (!(mask & (1 << f))) f++;
        var v = F(FW[f] * rr), at = d * l;
        best[at + k] = Math.max(best[at + k], v);
        best[at + k + 1] = Math.max(best[at + k + 1], v);
        if (times > 0 && k < 64) {
          if (k < 32) lo[d] |= 1 << k; else hi[d] |= 1 << (k - 32);
          t.weak[d] = F(t.weak[d] + F(F(0.05) * (Math.min(times, 3) - 1)));
        }
      }
    }
    for (i = 0; i < touched.length; i++) {
      d = touched[i];
      var strong = 0, covered = 0, weak = 0, alone = 0;
      for (k = 0; k < l; k++) {
        var b = best[d * l + k], o = single[d * l + k];
        strong = F(strong + b);
        if (b > 0) covered++;
        if (b === 0 && o > 0) { weak = F(weak + o); alone = F(alone + 1); }
      }
      var x = lo[d], y = hi[d];
      var bits = popcount(x | (x << 1)) + popcount(y | (y << 1) | (x >>> 31));
      t.score[d] = F(t.score[d] + strong);
      t.weak[d] = F(t.weak[d] + weak);
      t.matched[d] = F(t.matched[d] + F(covered + F(0.5 * alone)));
      t.nameHits[d] = F(t.nameHits[d] + bits);
    }
  };

  // ---- ranking (SearchIndex::ranked_and_shares, fuse, in_order) ----
  function byScore(a, b) { return b[1] - a[1] || a[0] - b[0]; }
  Index.prototype.rankedAndShares = function (q) {
    var parsed = this.parse(q), parts = parsed.parts, self = this, W = this.W;
    if (!parts.length) return { ranked: [], shares: [] };
    var n = this.docs.length, t = new Tally(n), d;
    parts.forEach(function (p) { self.scorePart(p, t); });
    var total = fsum(parts.map(function (p) { return p.weight; }));
    var out = [];
    for (d = 0; d < n; d++) {
      if (!(t.score[d] > 0) || (t.cited && !t.cited[d])) continue;
      var share = Math.min(F(t.matched[d] / total), 1);
      var name = F(Math.max(this.docs[d].nameLen, 1));
      var s = F(F(F(t.score[d] * F(F(0.6) + F(F(0.4) * share))) + t.weak[d]) +
        F(F(0.3) * Math.min(F(t.nameHits[d] / name), 1)));
      out.push([d, s]);
    }
    out.sort(byScore);
    // Among the leaders, a name with the query's words in the query's order wins a tie.
    if (parts.length > 1) {
      out.slice(0, W.orderCheck).forEach(function (e) {
        if (self.inOrder(parts, self.docs[e[0]])) e[1] = F(e[1] + W.inOrder);
      });
      out.sort(byScore);
    }
    var words = parsed.words;
    if (trim(words) !== '') {
      // The words of a colloquial key found, or typed with a typo, count as the query's own.
      var found = parts.filter(function (p) { return p.need === 'synonym'; }).map(function (p) { return p.key; });
      var typed = chars(normalize(words));
      var sounds = typed.map(function (c) { return self.soundOf(c); });
      var candidates = this.typoCandidates(typed, sounds);
      this.synonyms.forEach(function (syn, k) {
        if (contains(found, k) || (candidates.has(k) && nearKey(typed, sounds, syn))) {
          syn.targets.forEach(function (w) { words += ' ' + w; });
        }
      });
      var covered = out.length ? Math.min(F(t.matched[out[0][0]] / total), 1) : 0;
      out = this.fuse(out, words, t.cited, covered);
    }
    if (out.length) {
      var floor = F(W.cutoff * out[0][1]);
      out = out.filter(function (e) { return e[1] >= floor; });
    }
    var shares = [];
    for (d = 0; d < n; d++) shares.push(Math.min(F(t.matched[d] / total), 1));
    return { ranked: out, shares: shares };
  };
  Index.prototype.fuse = function (exact, words, cited, covered) {
    var n = this.docs.length, W = this.W, bm = new Float64Array(n), d;
    this.ngram.score(words, bm);
    var bmTop = 0;
    for (d = 0; d < n; d++) bmTop = Math.max(bmTop, bm[d]);
    if (!(bmTop > 0)) return exact;
    var alpha = Math.min(Math.max(F(W.ngramShare + F(W.ngramUnexplained * F(1 - covered))), 0), 1);
    var exactTop = exact.length ? exact[0][1] : 0, fused = new Float64Array(n);
    if (exactTop > 0) {
      exact.forEach(function (e) { fused[e[0]] = F(F(F(1 - alpha) * e[1]) / exactTop); });
    }
    for (d = 0; d < n; d++) {
      if (bm[d] > 0 && (!cited || cited[d])) fused[d] = F(fused[d] + F(F(alpha * bm[d]) / bmTop));
    }
    var out = [];
    for (d = 0; d < n; d++) if (fused[d] > 0) out.push([d, fused[d]]);
    return out.sort(byScore);
  };
  // Whether two or more text or synonym parts are found in the name, in the query's order.
  Index.prototype.inOrder = function (parts, doc) {
    var from = 0, placed = 0;
    for (var i = 0; i < parts.length; i++) {
      if (this.namePosition(parts[i], doc, 0) === null) continue;
      var at = this.namePosition(parts[i], doc, from);
      if (at === null) return false;
      from = at;
      placed++;
    }
    return placed > 1;
  };
  // Where in the name, at `from` or later, a text or synonym part first matches (positions
  // in UTF-16 units here, bytes in Rust: the same order, which is all that is compared).
  Index.prototype.namePosition = function (part, doc, from) {
    var pieces = [];
    if (part.need === 'text') {
      for (var i = 0; i + 1 < part.chars.length; i++) pieces.push(part.chars[i] + part.chars[i + 1]);
    } else if (part.need === 'synonym') pieces = this.synonyms[part.key].targets;
    var at = null;
    pieces.forEach(function (p) {
      var x = doc.name.indexOf(p, from);
      if (x >= 0 && (at === null || x < at)) at = x;
    });
    return at;
  };
  // Whether the query has the vocabulary key `syn` typed with a same-sound character, or (four
  // characters or more) with one character changed.
  function nearKey(q, sounds, syn) {
    var l = syn.key.length;
    if (l < 2 || q.length < l) return false;
    for (var s = 0; s + l <= q.length; s++) {
      var same = 0, other = 0, ok = true;
      for (var j = 0; j < l && ok; j++) {
        if (q[s + j] === syn.key[j]) same++;
        else if (!sounds[s + j] || sounds[s + j] !== syn.sounds[j]) {
          other++;
          if (other > (l >= 4 ? 1 : 0)) ok = false;
        }
      }
      if (ok && ((other === 0 && same < l) || (l >= 4 && same === l - 1))) return true;
    }
    return false;
  }
  // The fallback: matters sharing the most of the query's meaningful characters, by rarity.
  Index.prototype.nearestByCharacters = function (q) {
    var self = this, W = this.W;
    var cs = chars(normalize(q)).filter(function (c) { return isCjk(c) && self.stopChars.indexOf(c) < 0; });
    cs.sort();
    cs = cs.filter(function (c, i) { return i === 0 || c !== cs[i - 1]; });
    if (cs.length < 2) return [];
    var weight = function (c) { return self.tables.fallback[self.charDf.get(c) || 0]; };
    var total = fsum(cs.map(weight));
    if (!(total > 0)) return [];
    var out = [];
    this.docChars.forEach(function (have, d) {
      var got = fsum(cs.filter(function (c) { return have.has(c); }).map(weight));
      var s = F(got / total);
      if (s >= W.fallbackMin) out.push([d, s]);
    });
    return out.sort(byScore).slice(0, W.fallbackHits);
  };
  // [matter, score, confidence]…, best first (SearchIndex::ranked_with_confidence).
  Index.prototype.rankedWithConfidence = function (q) {
    var r = this.rankedAndShares(q);
    if (r.ranked.length) {
      return r.ranked.map(function (e) { return [e[0], e[1], r.shares[e[0]] || 0]; });
    }
    return this.nearestByCharacters(q).map(function (e) { return [e[0], e[1], F(e[1] / 2)]; });
  };
  // As GET /api/v1/matters?q= answers: the hits (id, name, unit, confidence to 0.01) and whether
  // the first is a clear match.
  Index.prototype.search = function (q, limit) {
    q = trim(q);
    if (!q) return { clear_match: false, items: [] };
    var self = this;
    var hits = this.rankedWithConfidence(q).map(function (h) {
      var m = self.matters[h[0]];
      var name = m.name || m.fields[0]; // given when it differs from the searched name
      return { id: m.id, name: name, unit: m.unit, confidence: F(F(Math.round(F(h[2] * 100))) / 100) };
    });
    return {
      clear_match: hits.length > 0 && hits[0].confidence >= this.W.clearMatch,
      total: hits.length,
      items: hits.slice(0, limit || 10)
    };
  };

  var api = { FORMAT: FORMAT, build: function (data) { return new Index(data); } };
  if (typeof module === 'object' && module.exports) module.exports = api;
  else root.PenaltySearch = api;
})(typeof self !== 'undefined' ? self : this);
