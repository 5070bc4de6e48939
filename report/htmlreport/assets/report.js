// infercost report: hands each chart's option (built by infercost, in
// Go) to Apache ECharts and says in the page whether every chart was
// drawn. It draws nothing itself.
(function () {
  'use strict';
  var status = document.getElementById('report-status');
  var errors = [];
  var drawn = 0;
  var charts = [];

  function report() {
    var total = Number(status.getAttribute('data-charts'));
    status.setAttribute('data-drawn', String(drawn));
    status.setAttribute('data-errors', String(errors.length));
    status.setAttribute('data-state', errors.length === 0 && drawn === total ? 'ok' : 'error');
    status.textContent = 'charts: ' + drawn + ' of ' + total + ' drawn' +
      (errors.length ? '; errors: ' + errors.join(' | ') : '');
  }

  window.addEventListener('error', function (e) {
    errors.push(String(e.message));
    report();
  });

  // Figures in tooltips: up to four significant digits, thousands
  // separated; axis names and series names carry the units.
  function figure(v) {
    if (typeof v !== 'number' || !isFinite(v)) { return v === null || v === undefined ? '-' : String(v); }
    var a = Math.abs(v);
    if (a >= 1000) { return Math.round(v).toLocaleString('en-US'); }
    return String(Number(v.toPrecision(4)));
  }

  var specs = [];
  try {
    specs = JSON.parse(document.getElementById('infercost-charts').textContent) || [];
  } catch (e) {
    errors.push('chart data: ' + e.message);
  }
  if (typeof echarts === 'undefined') {
    errors.push('the chart library did not load');
    specs = [];
  }
  specs.forEach(function (spec) {
    var el = document.getElementById(spec.id);
    if (!el) { errors.push('no place for chart ' + spec.id); return; }
    try {
      var chart = echarts.init(el, null, { renderer: 'svg' });
      var opt = spec.option;
      opt.tooltip = opt.tooltip || {};
      opt.tooltip.valueFormatter = figure;
      chart.setOption(opt);
      charts.push(chart);
      drawn++;
      el.setAttribute('data-drawn', 'true');
      el.setAttribute('data-marked', String(spec.marked));
    } catch (e) {
      errors.push(spec.id + ': ' + e.message);
    }
  });
  window.addEventListener('resize', function () {
    charts.forEach(function (c) { c.resize(); });
  });
  report();
})();
