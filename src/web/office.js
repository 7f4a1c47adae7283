// The legal office's page: publish a standards version (the folder with set.toml and units/),
// list the versions, withdraw one. It only calls the REST API with the publisher's token, kept
// for this browser tab.
(function () {
  'use strict';
  var $ = function (s) { return document.querySelector(s); };
  var esc = function (s) {
    return String(s).replace(/[&<>"']/g, function (c) {
      return { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' }[c];
    });
  };
  var token = sessionStorage.getItem('pst_publisher') || '';
  function call(path, opts) {
    opts = opts || {};
    var h = { 'Content-Type': 'application/json' };
    if (token) h.Authorization = 'Bearer ' + token;
    return fetch(path, { method: opts.method || 'GET', headers: h, body: opts.body })
      .then(function (r) { return r.json().then(function (b) { return { status: r.status, body: b }; }); });
  }
  var STATUS = { scheduled: '待施行', in_force: '现行有效', superseded: '已被替代', withdrawn: '已撤回' };

  // A chosen folder gives paths like "standards/units/ZHZF.toml": the first segment is the
  // folder itself. Loose files are placed by name.
  function pathOf(file) {
    var rel = file.webkitRelativePath || '';
    if (rel) return rel.split('/').slice(1).join('/');
    if (file.name === 'set.toml' || file.name === 'search_terms.toml') return file.name;
    return 'units/' + file.name;
  }
  function readFiles(list) {
    var files = Array.prototype.filter.call(list, function (f) { return /\.toml$/.test(f.name); });
    return Promise.all(files.map(function (f) {
      return f.text().then(function (t) { return [pathOf(f), t]; });
    })).then(function (pairs) {
      var out = {};
      pairs.forEach(function (p) { out[p[0]] = p[1]; });
      return out;
    });
  }

  function listVersions() {
    call('/api/v1/standards/versions').then(function (r) {
      var rows = (r.body || []).map(function (v) {
        var withdraw = v.status === 'withdrawn' ? '' :
          '<button type="button" class="withdraw" data-version="' + esc(v.version) + '">撤回</button>';
        return '<tr><td>' + esc(v.version) + '</td><td>' + esc(v.effective_date) + '</td><td>' +
          esc(STATUS[v.status] || v.status) + '</td><td>' + esc(v.note || '') + '</td><td>' + withdraw + '</td></tr>';
      }).join('');
      $('#versions tbody').innerHTML = rows;
    });
  }

  function publish(ev) {
    ev.preventDefault();
    var f = $('#publish');
    token = f.elements.token.value.trim();
    sessionStorage.setItem('pst_publisher', token);
    $('#outcome').innerHTML = '<p>正在校验…</p>';
    readFiles(f.elements.files.files).then(function (files) {
      if (!files['set.toml']) throw new Error('所选文件中没有 set.toml：请选择整个裁量基准文件夹');
      return call('/api/v1/standards/versions', {
        method: 'POST',
        body: JSON.stringify({ effective_date: f.elements.effective_date.value, note: f.elements.note.value, files: files })
      });
    }).then(function (r) {
      if (r.status === 201) {
        $('#outcome').innerHTML = '<p class="ok" id="published">已发布 ' + esc(r.body.version) + ' 版（' +
          esc(STATUS[r.body.status] || r.body.status) + '，' + esc(r.body.effective_date) + ' 起施行）。</p>';
        listVersions();
        return;
      }
      var problems = (r.body.error && r.body.error.problems) || [];
      $('#outcome').innerHTML = '<p class="bad" id="refused">未发布：' + esc(r.body.error ? r.body.error.message : r.status) + '</p>' +
        (problems.length ? '<ol id="problems">' + problems.map(function (p) { return '<li>' + esc(p) + '</li>'; }).join('') + '</ol>' : '');
    }).catch(function (e) {
      $('#outcome').innerHTML = '<p class="bad" id="refused">' + esc(e.message) + '</p>';
    });
  }

  function withdraw(ev) {
    var b = ev.target.closest('button.withdraw');
    if (!b) return;
    var note = window.prompt('撤回 ' + b.dataset.version + ' 版的理由');
    if (!note) return;
    token = $('#publish').elements.token.value.trim() || token;
    call('/api/v1/standards/versions/' + encodeURIComponent(b.dataset.version) + '/withdraw',
      { method: 'POST', body: JSON.stringify({ note: note }) }).then(function (r) {
      $('#outcome').innerHTML = r.status === 200
        ? '<p class="ok">已撤回 ' + esc(b.dataset.version) + ' 版。</p>'
        : '<p class="bad">未撤回：' + esc(r.body.error.message) + '</p>';
      listVersions();
    });
  }

  document.addEventListener('DOMContentLoaded', function () {
    $('#publish').elements.token.value = token;
    $('#publish').addEventListener('submit', publish);
    $('#versions').addEventListener('click', withdraw);
    listVersions();
  });
})();
