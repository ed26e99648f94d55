// Filters of the materials table. The page's text is never read as markup here: rows are
// only shown or hidden, and the count is set as text. Filters come from and go to the
// address (kooste.html#theme=osallisuus&city=Helsinki&q=malli), so a view can be shared.
(function () {
  'use strict';
  var form = document.getElementById('filters');
  var table = document.getElementById('materials');
  var count = document.getElementById('count');
  if (!form || !table || !count) { return; }
  var keys = ['theme', 'city', 'tp', 'status', 'q'];
  var controls = {};
  keys.forEach(function (k) { controls[k] = document.getElementById('f-' + k); });
  var rows = Array.prototype.slice.call(table.tBodies[0].rows);
  var norm = function (s) { return s.normalize('NFC').toLowerCase(); };
  var texts = rows.map(function (r) { return norm(r.textContent); });
  var has = function (list, value) { return list !== '' && list.split('|').indexOf(value) >= 0; };

  function current() {
    var f = {};
    keys.forEach(function (k) { f[k] = controls[k] ? controls[k].value : ''; });
    return f;
  }

  function matches(row, i, f) {
    var d = row.dataset;
    if (f.theme && (f.theme === '-' ? d.themes !== '' : !has(d.themes, f.theme))) { return false; }
    if (f.city && (f.city === '-' ? d.city !== '' : d.city !== f.city)) { return false; }
    if (f.tp && (f.tp === '-' ? d.tp !== '' : !has(d.tp, f.tp))) { return false; }
    if (f.status && d.status !== f.status) { return false; }
    var words = norm(f.q).split(/\s+/).filter(Boolean);
    for (var w = 0; w < words.length; w++) {
      if (texts[i].indexOf(words[w]) < 0) { return false; }
    }
    return true;
  }

  function apply(writeAddress) {
    var f = current();
    var shown = 0;
    rows.forEach(function (row, i) {
      var ok = matches(row, i, f);
      row.hidden = !ok;
      if (ok) { shown++; }
    });
    count.textContent = count.dataset.template
      .replace('{n}', String(shown))
      .replace('{total}', String(rows.length));
    if (writeAddress) {
      var params = new URLSearchParams();
      keys.forEach(function (k) { if (f[k]) { params.set(k, f[k]); } });
      var hash = params.toString();
      try { history.replaceState(null, '', hash ? '#' + hash : location.pathname + location.search); } catch (e) { /* file: pages may refuse */ }
    }
  }

  // Filters in the address: after `#` (as links on the page write them) or after `?`.
  function fromAddress() {
    var raw = location.hash.indexOf('=') > 0 ? location.hash.slice(1) : location.search.slice(1);
    if (raw.indexOf('=') < 0) { return false; }
    var params = new URLSearchParams(raw);
    keys.forEach(function (k) {
      if (controls[k]) { controls[k].value = params.get(k) || ''; }
    });
    return true;
  }

  form.addEventListener('input', function () { apply(true); });
  form.addEventListener('change', function () { apply(true); });
  form.addEventListener('submit', function (e) { e.preventDefault(); });
  form.addEventListener('reset', function () { setTimeout(function () { apply(true); }, 0); });
  window.addEventListener('hashchange', function () {
    if (fromAddress()) {
      apply(false);
      document.getElementById('materiaalit').scrollIntoView();
    }
  });
  var fromLink = fromAddress();
  apply(false);
  if (fromLink) { document.getElementById('materiaalit').scrollIntoView(); }
}());
