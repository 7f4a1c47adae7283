// 执法人员查询页 (/m): find the matter, fill in the facts, get the standard and the receipt.
// Works offline once loaded: the unit's standards are kept on the device; the search runs here
// with the server's own ranking (search.js over /m/search-index, every matter); a calculation
// made without network is computed here (tier and standard band only: provisional), queued, and
// sent to the log (marked offline) as soon as the network returns.
'use strict';
(function () {
  var $ = function (s) { return document.querySelector(s); };
  var store = window.localStorage;
  var S = {
    token: store.getItem('pst_token') || '',
    pack: JSON.parse(store.getItem('pst_pack') || 'null'),
    queue: JSON.parse(store.getItem('pst_queue') || '[]'),
    done: JSON.parse(store.getItem('pst_done') || '[]'),
    matter: null
  };
  function saveQueue() {
    store.setItem('pst_queue', JSON.stringify(S.queue));
    store.setItem('pst_done', JSON.stringify(S.done.slice(-20)));
    renderQueue();
  }
  function esc(s) {
    return String(s == null ? '' : s).replace(/[&<>"']/g, function (c) {
      return { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' }[c];
    });
  }
  function today() {
    var d = new Date(Date.now() + 8 * 3600 * 1000); // China time
    return d.toISOString().slice(0, 10);
  }
  // Dates and amounts are written the Chinese way whatever the browser's language: no
  // toLocaleString, whose output follows the device's settings.
  function chinaTime(iso) {
    var t = new Date(Date.parse(iso) + 8 * 3600 * 1000).toISOString();
    return Number(t.slice(0, 4)) + '年' + Number(t.slice(5, 7)) + '月' + Number(t.slice(8, 10)) + '日 ' + t.slice(11, 16);
  }
  // As the published tables write amounts: whole hundreds from 1万 in 万元 (2万元, 1.5万元).
  function money(x) {
    var v = Math.round(Number(x) * 100) / 100;
    if (v >= 10000 && v % 100 === 0) return String(v / 10000) + '万元';
    return (v % 1 === 0 ? String(v) : v.toFixed(2)) + '元';
  }
  // The notice that the device is offline, shown while a call fails and gone once one succeeds.
  function offline(on) {
    show('#net', on);
    // The search's own offline remark goes with it.
    if (!on && /^离线/.test($('#search-note').textContent)) $('#search-note').textContent = '';
  }
  function bandText(b) {
    if (!b) return '不处罚款';
    return Number(b.min) === Number(b.max) ? money(b.min) : money(b.min) + '至' + money(b.max);
  }
  function call(path, opts) {
    opts = opts || {};
    var h = { 'Authorization': 'Bearer ' + S.token, 'X-Client': 'mobile' };
    if (opts.body) h['Content-Type'] = 'application/json';
    for (var k in (opts.headers || {})) h[k] = opts.headers[k];
    return fetch(path, { method: opts.method || 'GET', headers: h, body: opts.body }).then(function (r) {
      offline(false);
      return r;
    }, function (e) {
      offline(true);
      throw e;
    });
  }
  function show(id, on) { $(id).hidden = !on; }

  // ---- signing in: the token, and the unit's standards kept on the device ----
  function signIn(token) {
    S.token = token.trim();
    $('#login-error').textContent = '';
    return call('/m/pack').then(function (r) {
      if (r.status === 401 || r.status === 403) {
        return r.json().then(function (e) { throw new Error(e.error.message); });
      }
      if (!r.ok) throw new Error('服务暂不可用（' + r.status + '）');
      return r.json();
    }).then(function (pack) {
      S.pack = pack;
      store.setItem('pst_token', S.token);
      store.setItem('pst_pack', JSON.stringify(pack));
      ready();
    }).catch(function (e) {
      $('#login-error').textContent = e.message || '无法连接服务';
    });
  }
  function showWho() {
    $('#who').textContent = S.pack.caller + '（' + S.pack.unit_name + '）· 裁量基准 ' + S.pack.version;
  }
  function ready() {
    show('#login', false);
    show('#app', true);
    showWho();
    renderQueue();
    flush();
    refreshPack();
  }
  // Online, the device keeps the standards in force: a newer version replaces its copy.
  function refreshPack() {
    if (!S.token) return;
    refreshIndex();
    call('/m/pack').then(function (r) { return r.ok ? r.json() : null; }).then(function (pack) {
      // (A copy kept before the pack named every unit is replaced too.)
      if (!pack || (pack.version === S.pack.version && S.pack.units)) return;
      S.pack = pack;
      store.setItem('pst_pack', JSON.stringify(pack));
      showWho();
    }, function () {});
  }

  // ---- search: the server's search online, the same ranking on the device offline ----
  // The device keeps the search's inputs (/m/search-index, every matter of the version in
  // force; the service worker keeps the copy it fetches) and ranks with /m/search.js exactly as
  // the server does. Online, the index is fetched again (revalidated by its entity tag) as the
  // pack is, so it follows the standards version; it is built (a fraction of a second) only
  // when a search has to run offline.
  var SI = { index: null, etag: null, loading: null };
  function refreshIndex() {
    fetch('/m/search-index').then(function (r) {
      var etag = r.ok && r.headers.get('ETag');
      if (etag && etag !== SI.etag) SI.index = null; // a new version: rebuilt when needed
    }, function () {});
  }
  function loadIndex() {
    if (SI.index) return Promise.resolve(SI.index);
    if (SI.loading) return SI.loading;
    SI.loading = fetch('/m/search-index').then(function (r) {
      if (!r.ok) throw new Error('search index: ' + r.status);
      var etag = r.headers.get('ETag');
      return r.json().then(function (data) {
        SI.index = window.PenaltySearch.build(data);
        SI.etag = etag;
        return SI.index;
      });
    }).then(function (index) {
      SI.loading = null;
      return index;
    }, function (e) {
      SI.loading = null;
      throw e;
    });
    return SI.loading;
  }
  function unitName(code) {
    return (S.pack.units && S.pack.units[code]) || (SI.index && SI.index.units[code]) || code;
  }
  var timer = null, searches = 0;
  function renderHits(items, offline, clear) {
    var ul = $('#hits');
    ul.innerHTML = items.length ? '' : '<li class="muted">没有找到，换个说法试试</li>';
    items.forEach(function (m) {
      var li = document.createElement('li');
      li.innerHTML = '<button type="button" class="hit" data-id="' + esc(m.id) + '"><b>' + esc(m.name) +
        '</b><span class="muted">' + esc(m.id) + ' · <span class="unit">' + esc(unitName(m.unit)) + '</span></span></button>';
      ul.appendChild(li);
    });
    var near = clear === false && items.length ? '没有明确对应的事项，以下是最接近的几个，请核对' : '';
    $('#search-note').textContent = offline
      ? '离线：在本机保存的全部事项中查找（排序与联网时相同；离线时只能计算本单位事项）' + (near ? '。' + near : '')
      : near;
  }
  function search() {
    var q = $('#q').value.trim();
    var mine = ++searches; // a slower answer to an earlier query is dropped
    if (!q) { $('#hits').innerHTML = ''; return; }
    fetch('/api/v1/matters?per_page=10&q=' + encodeURIComponent(q)).then(function (r) {
      if (!r.ok) throw new Error();
      return r.json();
    }).then(function (page) {
      if (mine === searches) renderHits(page.items, false, page.clear_match);
    }).catch(function () {
      loadIndex().then(function (index) {
        var page = index.search(q, 10);
        if (mine === searches) renderHits(page.items, true, page.clear_match);
      }, function () {
        if (mine !== searches) return;
        $('#hits').innerHTML = '';
        $('#search-note').textContent = '离线：本机还没有保存事项索引，请联网后再查';
      });
    });
  }

  // ---- the form generated from the matter's facts ----
  function pick(id) {
    var local = S.pack.matters.filter(function (m) { return m.id === id; })[0];
    var got = local ? Promise.resolve(local) : fetch('/api/v1/matters/' + encodeURIComponent(id)).then(function (r) {
      if (!r.ok) throw new Error('无法读取事项 ' + id);
      return r.json();
    });
    got.then(function (m) { S.matter = m; renderForm(m); })
      .catch(function () { $('#search-note').textContent = '无法读取事项 ' + id + '（离线时只能查本单位事项）'; });
  }
  function field(f) {
    if (f.derived) return ''; // computed by the service from the other figures
    var label = '<span>' + esc(f.label) + (f.unit ? '（' + esc(f.unit) + '）' : '') + '</span>';
    var name = 'fact_' + f.key;
    if (f.type === 'boolean') {
      return '<label class="check"><input type="checkbox" name="' + name + '"' + (f.default === true ? ' checked' : '') + '> ' + esc(f.label) + '</label>';
    }
    if (f.type === 'enum') {
      var opts = f.values.map(function (v) {
        return '<option value="' + esc(v.code) + '"' + (f.default === v.code ? ' selected' : '') + '>' + esc(v.label) + '</option>';
      }).join('');
      return '<label>' + label + '<select name="' + name + '"' + (f.required ? ' required' : '') + '>' +
        (f.default === undefined ? '<option value="">请选择</option>' : '') + opts + '</select></label>';
    }
    var mode = f.type === 'integer' ? 'numeric' : 'decimal';
    var dflt = f.default !== undefined ? ' value="' + esc(f.default) + '"' : '';
    return '<label>' + label + '<input name="' + name + '" inputmode="' + mode + '" autocomplete="off"' +
      ' pattern="[0-9]*[.]?[0-9]*"' + (f.required ? ' required' : '') + dflt + '></label>';
  }
  function renderForm(m) {
    show('#result', false);
    // The kinds of party the matter concerns, as the article treats them apart; the inspector
    // chooses one (nothing is ticked for them).
    var st = m.statutory, apart = (st.unfined || []).concat(st.excluded || []);
    var kinds = [];
    if (st.parties.indexOf('individual') >= 0) {
      kinds.push(['individual', '个人（公民）'], ['sole_trader', '个体工商户']);
      if (st.fine_farmer) kinds.push(['farmer', '农户']);
    }
    if (st.parties.indexOf('organisation') >= 0) {
      kinds.push(['organisation', '单位（法人或者其他组织）']);
      if (apart.indexOf('state_organ') >= 0) kinds.push(['state_organ', '国家机关']);
    }
    kinds = kinds.filter(function (k) { return (st.excluded || []).indexOf(k[0]) < 0; });
    var party = kinds.length > 1
      ? '<fieldset><legend>当事人（请选择）</legend>' + kinds.map(function (k) {
        return '<label class="check"><input type="radio" name="party" required value="' + k[0] + '"> ' + esc(k[1]) + '</label>';
      }).join('') + '</fieldset>'
      : '<input type="hidden" name="party" value="' + kinds[0][0] + '">';
    var circ = S.pack.circumstances.map(function (c) {
      return '<label class="check' + (c.individual_only ? ' ind' : '') + '"><input type="checkbox" name="circ" value="' +
        esc(c.code) + '"> ' + esc(c.label) + '</label>';
    }).join('');
    $('#form').innerHTML =
      '<h2>' + esc(m.name) + ' <span class="muted">' + esc(m.id) + '</span></h2>' +
      (m.note ? '<p class="note"><b>说明：</b>' + esc(m.note) + '</p>' : '') + party +
      '<fieldset><legend>违法事实</legend>' + m.facts.map(field).join('') + '</fieldset>' +
      '<fieldset><legend>日期与案号</legend>' +
      '<label><span>违法行为发生日期</span><input type="date" name="act_date" required max="' + today() + '"></label>' +
      '<label><span>违法行为终了日期（有连续或者继续状态的填写）</span><input type="date" name="act_end_date" max="' + today() + '"></label>' +
      '<label><span>发现日期</span><input type="date" name="discovered_date" value="' + today() + '"></label>' +
      '<label><span>案件编号（可不填）</span><input name="case_ref" maxlength="100"></label></fieldset>' +
      // The general circumstances folded under one heading: the button stays within reach.
      '<details id="circ"><summary>从轻、减轻、从重等情节（' + S.pack.circumstances.length + '项，有则展开勾选）</summary>' +
      circ + '</details>' +
      '<p id="form-error" class="bad" role="alert"></p>' +
      '<button type="submit" id="calc">计算裁量基准</button>';
    show('#form', true);
    // Circumstances that only a person can have are hidden for a unit.
    var sync = function () {
      var chosen = $('#form').querySelector('input[name=party]:checked') ||
        $('#form').querySelector('input[type=hidden][name=party]');
      var p = chosen ? chosen.value : '';
      $('#form').querySelectorAll('label.ind').forEach(function (l) {
        l.hidden = p === 'organisation' || p === 'state_organ';
        if (l.hidden) l.querySelector('input').checked = false;
      });
    };
    $('#form').querySelectorAll('input[name=party]').forEach(function (r) { r.onchange = sync; });
    $('#circ').onchange = function () {
      var n = $('#circ').querySelectorAll('input:checked').length;
      $('#circ summary').textContent = '从轻、减轻、从重等情节（' + S.pack.circumstances.length + '项' +
        (n ? '，已勾选' + n + '项' : '，有则展开勾选') + '）';
    };
    sync();
    $('#form').scrollIntoView();
  }
  function readForm() {
    var f = $('#form');
    var m = S.matter;
    var facts = {};
    m.facts.forEach(function (d) {
      var el = f.elements['fact_' + d.key];
      if (!el) return;
      if (d.type === 'boolean') facts[d.key] = el.checked;
      else if (el.value.trim() !== '') facts[d.key] = el.value.trim();
    });
    var circ = [];
    f.querySelectorAll('input[name=circ]:checked').forEach(function (c) { circ.push(c.value); });
    var req = {
      matter_id: m.id,
      party: (f.querySelector('input[name=party]:checked') || f.querySelector('input[type=hidden][name=party]')).value,
      facts: facts,
      circumstances: circ,
      act_date: f.elements.act_date.value,
      act_end_date: f.elements.act_end_date.value || undefined,
      discovered_date: f.elements.discovered_date.value || undefined,
      decision_date: today()
    };
    if (f.elements.case_ref.value.trim()) req.case_ref = f.elements.case_ref.value.trim();
    return req;
  }

  // ---- the provisional calculation on the device (tier and standard band only) ----
  function holds(p, v) {
    if (p === true || p === false || typeof p === 'string') return v === p;
    if (Array.isArray(p)) return p.indexOf(v) >= 0;
    if (typeof v !== 'number' || isNaN(v)) return false;
    if (p.gte !== undefined && !(v >= Number(p.gte))) return false;
    if (p.gt !== undefined && !(v > Number(p.gt))) return false;
    if (p.lte !== undefined && !(v <= Number(p.lte))) return false;
    if (p.lt !== undefined && !(v < Number(p.lt))) return false;
    return true;
  }
  function localCalc(m, req) {
    var facts = {};
    m.facts.forEach(function (d) {
      if (d.derived) return;
      var v = req.facts[d.key];
      if (v === undefined) v = d.default;
      if (v === undefined && !d.required) return; // e.g. gains not known
      if (v === undefined) throw new Error('请填写：' + d.label);
      facts[d.key] = (d.type === 'decimal' || d.type === 'integer') ? Number(v) : v;
    });
    // Computed facts (超限比例): by how many per cent one figure exceeds the other.
    m.facts.forEach(function (d) {
      if (!d.derived) return;
      var v = facts[d.derived.percent_over], lim = facts[d.derived.of];
      if (!(lim > 0)) throw new Error(d.derived.of + ' 应大于0');
      facts[d.key] = (v - lim) * 100 / lim;
    });
    var tier = m.tiers.filter(function (t) {
      return t.when.some(function (c) {
        return Object.keys(c).every(function (k) { return holds(c[k], facts[k]); });
      });
    })[0];
    if (!tier) throw new Error('事实与各阶次均不相符，请核对');
    var org = req.party === 'organisation' || req.party === 'state_organ';
    var tf = org ? tier.fine_organisation : tier.fine_individual;
    var rule = org ? m.statutory.fine_organisation : m.statutory.fine_individual;
    var band = null;
    if (tf && tf.unit === 'yuan') band = { min: tf.min, max: tf.max };
    else if (tf && rule && rule.kind === 'tranches') {
      // Each part of the excess over the limit at its rate, capped.
      var val = facts[rule.base], limit = facts[rule.reference], sum = 0;
      var at = function (p) { return limit + limit * Number(p) / 100; };
      rule.tranches.forEach(function (t) {
        var top = t.up_to === undefined ? val : Math.min(val, at(t.up_to));
        sum += Math.max(0, top - at(t.over)) * Number(t.rate);
      });
      if (rule.cap !== undefined) sum = Math.min(sum, Number(rule.cap));
      band = { min: sum * tf.min, max: sum * tf.max };
    } else if (tf) {
      var base = rule && rule.base ? Number(facts[rule.base]) || 0 : 0;
      if (rule && rule.base_floor) base = Math.max(base, Number(rule.base_floor));
      var k = rule && rule.kind === 'percent' ? 0.01 : 1;
      band = { min: base * tf.min * k, max: base * tf.max * k };
    }
    // The measures the article makes mandatory for this party; confiscating gains waits for
    // the server, which weighs the gains.
    var side = org ? 'organisation' : 'individual';
    var mandatory = (m.statutory.measures || []).filter(function (x) {
      var to = x.parties || [];
      return x.force === 'mandatory' && x.name !== '没收违法所得' &&
        (!to.length || to.indexOf(req.party) >= 0 || to.indexOf(side) >= 0);
    }).map(function (x) { return x.name; });
    var measures = ['责令改正'];
    tier.measures.concat(mandatory).forEach(function (x) { if (measures.indexOf(x) < 0) measures.push(x); });
    return { tier: tier, fine: band, measures: measures };
  }

  // ---- results ----
  function renderResult(r, receipt) {
    var outcome = { penalty: '给予行政处罚', no_penalty: '不予行政处罚', time_barred: '超过追责时效，不再处罚' }[r.outcome];
    var flags = [];
    if (r.summary_procedure_allowed) flags.push('可适用简易程序');
    if (r.hearing_right) flags.push('应告知听证权利');
    if (r.no_penalty_possible) flags.push('首违可以不罚');
    $('#result').innerHTML =
      '<div class="receipt"><span>回执号</span><b id="receipt">' + esc(receipt) + '</b>' +
      '<button type="button" id="copy">复制</button></div>' +
      '<h2>' + esc(outcome) + '</h2>' +
      '<p>第' + r.tier.level + '阶次「' + esc(r.tier.name) + '」：' + esc(r.tier.situation) + '</p>' +
      '<p class="amount" id="amount">' + esc(bandText(r.fine)) + '</p>' +
      '<p>其他措施：' + esc(r.measures.join('、')) + '</p>' +
      (r.persons_fine ? '<p>对直接负责的主管人员和其他直接责任人员：' + esc(bandText(r.persons_fine)) + '</p>' : '') +
      ((r.measure_options || []).length ? '<p>还可以（或在所列条件下应当）：' + r.measure_options.map(function (o) {
        return esc((o.condition ? o.condition + '，' : '') + o.name);
      }).join('；') + '</p>' : '') +
      (r.criminal_referral ? '<p class="bad"><b>涉嫌犯罪，应当移送司法机关</b>（行政处罚法第二十七条）</p>' : '') +
      (flags.length ? '<p>' + flags.map(function (f) { return '<span class="badge">' + esc(f) + '</span>'; }).join(' ') + '</p>' : '') +
      ((r.circumstances_without_effect || []).length ? '<h3>勾选但未改变结果的情节</h3><ul id="without-effect">' +
        r.circumstances_without_effect.map(function (w) {
          return '<li><b>' + esc(w.name) + '</b>：' + esc(w.reason) + '</li>';
        }).join('') + '</ul>' : '') +
      '<h3>说明</h3><ol>' + r.explanation.map(function (x) { return '<li>' + esc(x) + '</li>'; }).join('') + '</ol>' +
      '<h3>法律依据</h3><ul>' + r.legal_basis.map(function (b) { return '<li>' + esc(b.text) + '</li>'; }).join('') + '</ul>';
    show('#result', true);
    $('#copy').onclick = function () {
      if (navigator.clipboard) navigator.clipboard.writeText(receipt);
    };
    $('#result').scrollIntoView();
  }
  function renderProvisional(p, m) {
    $('#result').innerHTML =
      '<div class="receipt provisional"><span>临时结果（离线）</span><b id="receipt">待提交</b></div>' +
      '<p class="warn">网络不通：这是在本机按已保存的裁量基准（' + esc(S.pack.version) + '版）算出的临时结果，只含阶次和基准罚款，' +
      '未计从轻、从重等情节。联网后自动提交并记录，届时显示正式结果和回执号。</p>' +
      '<h2>' + esc(m.name) + '</h2>' +
      '<p>第' + p.tier.level + '阶次「' + esc(p.tier.name) + '」：' + esc(p.tier.situation) + '</p>' +
      '<p class="amount" id="amount">' + esc(p.fine ? bandText(p.fine) : '不处罚款') + '</p>' +
      '<p>其他措施：' + esc(p.measures.join('、')) + '</p>';
    show('#result', true);
    $('#result').scrollIntoView();
  }
  function submit(ev) {
    ev.preventDefault();
    var req = readForm();
    $('#form-error').textContent = '';
    call('/api/v1/calculate', { method: 'POST', body: JSON.stringify(req) }).then(function (r) {
      return r.json().then(function (body) {
        if (!r.ok) { $('#form-error').textContent = body.error.message; return; }
        renderResult(body, body.receipt);
      });
    }, function () {
      // No network: compute here, keep the request, send it when the network returns.
      try {
        var p = localCalc(S.matter, req);
        S.queue.push({ req: req, at: new Date().toISOString(), name: S.matter.name });
        saveQueue();
        renderProvisional(p, S.matter);
      } catch (e) { $('#form-error').textContent = e.message; }
    });
  }

  // ---- the queue of offline calculations ----
  var flushing = false;
  function flush() {
    if (flushing || !S.queue.length || !S.token) return;
    flushing = true;
    var item = S.queue[0];
    call('/api/v1/calculate', { method: 'POST', body: JSON.stringify(item.req), headers: { 'X-Offline-At': item.at } })
      .then(function (r) {
        return r.json().then(function (body) {
          S.queue.shift();
          S.done.push(r.ok
            ? { name: item.name, at: item.at, receipt: body.receipt, fine: bandText(body.fine) }
            : { name: item.name, at: item.at, error: body.error.message });
          saveQueue();
          if (r.ok && $('#receipt') && $('#receipt').textContent === '待提交') renderResult(body, body.receipt);
          flushing = false;
          flush();
        });
      }, function () { flushing = false; });
  }
  function renderQueue() {
    var q = $('#queue');
    if (!S.queue.length && !S.done.length) { q.innerHTML = ''; return; }
    q.innerHTML = '<h3>' + (S.queue.length ? '待提交的离线查询' : '已补录的离线查询') + '</h3><ul>' +
      S.queue.map(function (i) { return '<li class="warn">待提交：' + esc(i.name) + '（' + esc(chinaTime(i.at)) + '）</li>'; }).join('') +
      S.done.slice(-5).reverse().map(function (i) {
        return i.error ? '<li class="bad">未能记录：' + esc(i.name) + '：' + esc(i.error) + '</li>'
          : '<li class="ok">已提交：' + esc(i.name) + ' 回执 <b class="done-receipt">' + esc(i.receipt) + '</b> ' + esc(i.fine) + '</li>';
      }).join('') + '</ul>';
  }

  // ---- one's own past entries (the server's log: one's name in one's unit) ----
  var OUTCOME = { penalty: '处罚', no_penalty: '不予处罚', time_barred: '超过时效', conforms: '符合', deviates: '偏离', unlawful: '违法' };
  function matterName(id) {
    var m = S.pack.matters.filter(function (x) { return x.id === id; })[0];
    return m ? m.name : id;
  }
  function entryFine(e) {
    return e.result && e.result.fine ? bandText(e.result.fine) : (OUTCOME[e.outcome] || '');
  }
  function loadMine() {
    var box = $('#mine-list');
    box.innerHTML = '<p class="muted">正在读取……</p>';
    call('/api/v1/my/queries?per_page=20').then(function (r) {
      return r.json().then(function (page) {
        if (!r.ok) throw new Error(page.error.message);
        box.innerHTML = page.items.length ? '<ul>' + page.items.map(function (e) {
          return '<li><button type="button" class="hit mine" data-receipt="' + esc(e.receipt) + '"><b>' + esc(e.receipt) + '</b> ' +
            esc(matterName(e.matter_id)) + '<span>' + esc(chinaTime(e.recorded_at)) + ' · ' + esc(entryFine(e)) +
            (e.offline ? ' · 离线补录' : '') + '</span></button></li>';
        }).join('') + '</ul>' + (page.total > page.items.length ? '<p class="muted">共' + page.total + '条，显示最近20条。</p>' : '')
          : '<p class="muted">还没有记录。</p>';
      });
    }).catch(function () {
      box.innerHTML = '<p class="warn">离线时只能看本机补录的查询（见上方“离线查询”）。</p>';
    });
  }
  function showMine(receipt) {
    call('/api/v1/my/queries/' + encodeURIComponent(receipt)).then(function (r) {
      return r.json().then(function (e) {
        if (!r.ok) throw new Error(e.error.message);
        var q = e.request || {};
        // The facts by their labels in the device's copy (a matter of another unit: not shown).
        var m = S.pack.matters.filter(function (x) { return x.id === e.matter_id; })[0];
        var facts = m ? m.facts.filter(function (d) { return q.facts && q.facts[d.key] !== undefined; }).map(function (d) {
          var v = q.facts[d.key];
          if (v === true || v === false) v = v ? '是' : '否';
          else if (d.type === 'enum') v = (d.values.filter(function (x) { return x.code === v; })[0] || { label: v }).label;
          return esc(d.label) + '：' + esc(v) + (d.unit ? esc(d.unit) : '');
        }).join('；') : '';
        $('#mine-detail').innerHTML = '<div class="receipt"><span>回执号</span><b>' + esc(e.receipt) + '</b></div>' +
          '<p><b>' + esc(matterName(e.matter_id)) + '</b> ' + esc(e.matter_id) + '</p>' +
          '<p>记录时间：' + esc(chinaTime(e.recorded_at)) + (e.case_ref ? ' · 案件编号 ' + esc(e.case_ref) : '') + '</p>' +
          '<p>违法行为发生日期：' + esc(q.act_date || '') + (e.tier ? ' · 第' + e.tier + '阶次' : '') + '</p>' +
          (facts ? '<p class="muted">填写的事实：' + facts + '</p>' : '') +
          '<p class="amount">' + esc(entryFine(e)) + '</p>' +
          (e.result && e.result.measures ? '<p>其他措施：' + esc(e.result.measures.join('、')) + '</p>' : '');
        show('#mine-detail', true);
        $('#mine-detail').scrollIntoView();
      });
    }).catch(function (err) { $('#mine-list').insertAdjacentHTML('afterbegin', '<p class="bad">' + esc(err.message) + '</p>'); });
  }

  // ---- wiring ----
  document.addEventListener('DOMContentLoaded', function () {
    $('#login-form').onsubmit = function (e) { e.preventDefault(); signIn($('#token').value); };
    $('#q').oninput = function () { clearTimeout(timer); timer = setTimeout(search, 250); };
    $('#search-form').onsubmit = function (e) { e.preventDefault(); search(); };
    $('#hits').onclick = function (e) {
      var b = e.target.closest('button.hit');
      if (b) pick(b.getAttribute('data-id'));
    };
    $('#form').onsubmit = submit;
    $('#mine-open').onclick = loadMine;
    $('#mine-list').onclick = function (e) {
      var b = e.target.closest('button.mine');
      if (b) showMine(b.getAttribute('data-receipt'));
    };
    $('#logout').onclick = function () {
      store.removeItem('pst_token'); store.removeItem('pst_pack'); location.reload();
    };
    window.addEventListener('online', function () { flush(); refreshPack(); });
    window.addEventListener('offline', function () { offline(true); });
    setInterval(flush, 15000);
    if (S.token && S.pack) ready(); else { show('#login', true); show('#app', false); }
    if ('serviceWorker' in navigator) navigator.serviceWorker.register('/m/sw.js', { scope: '/m' });
  });
})();
