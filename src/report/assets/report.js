(function () {
  'use strict';
  var specs = JSON.parse(document.getElementById('mobius-charts').textContent);
  var drawn = 0;
  specs.forEach(function (spec, i) {
    var canvas = document.getElementById('chart-' + i);
    if (!canvas) return;
    var options = Object.assign({}, spec.config.options, { responsive: true, maintainAspectRatio: false, animation: false });
    // Chart definitions are data only: the tooltip's per-label lines (Fig. 6's changes) come as data and are wired here.
    if (spec.tooltipFooters) {
      var footers = spec.tooltipFooters;
      var tooltip = Object.assign({}, (options.plugins || {}).tooltip, {
        callbacks: { footer: function (items) { return items.length ? footers[items[0].dataIndex] || [] : []; } },
      });
      options.plugins = Object.assign({}, options.plugins, { tooltip: tooltip });
    }
    new Chart(canvas, Object.assign({}, spec.config, { options: options }));
    drawn++;
  });
  document.body.setAttribute('data-charts-drawn', String(drawn));

  function key(row, col) {
    var cell = row.cells[col];
    var v = cell.getAttribute('data-v');
    if (v === null) return { num: false, v: cell.textContent };
    if (v === '') return { num: true, v: null };
    return { num: true, v: Number(v) };
  }
  Array.prototype.forEach.call(document.querySelectorAll('table.sortable'), function (table) {
    var heads = table.tHead.rows[0].cells;
    Array.prototype.forEach.call(heads, function (th, col) {
      th.tabIndex = 0;
      function sort() {
        var dir = th.getAttribute('aria-sort') === 'ascending' ? -1 : 1;
        Array.prototype.forEach.call(heads, function (h) { h.removeAttribute('aria-sort'); });
        th.setAttribute('aria-sort', dir === 1 ? 'ascending' : 'descending');
        var body = table.tBodies[0];
        var rows = Array.prototype.slice.call(body.rows);
        rows.sort(function (a, b) {
          var x = key(a, col), y = key(b, col);
          if (x.v === null || y.v === null) return x.v === y.v ? 0 : x.v === null ? 1 : -1;
          if (x.num && y.num) return dir * (x.v - y.v);
          return dir * String(x.v).localeCompare(String(y.v));
        });
        rows.forEach(function (r) { body.appendChild(r); });
      }
      th.addEventListener('click', sort);
      th.addEventListener('keydown', function (e) { if (e.key === 'Enter' || e.key === ' ') { e.preventDefault(); sort(); } });
    });
  });
})();
