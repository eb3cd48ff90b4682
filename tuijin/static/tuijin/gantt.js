/* A project's 倒排工期 as a Gantt chart (ECharts custom series), planned vs baseline vs actual.
 * Each row is one node; its bar runs from the previous node's date to its own. The thick bar is the
 * plan (coloured by status), the thin grey bar under it the baseline, the diamond the actual date,
 * the red vertical line today. Rows come from a <script type="application/json"> (data-source):
 * {today, rows: [...], total, truncated}. (挂图作战, every project on one chart, is wall.js.) */
(function () {
  "use strict";
  var COLORS = {done: "#2e7d32", done_late: "#ef6c00", overdue: "#c62828", due_soon: "#f9a825",
                planned: "#1565c0", unscheduled: "#9e9e9e", inferred: "#81c784"};
  var VISIBLE_ROWS = 28;

  function time(text) { return text ? new Date(text + "T00:00:00").getTime() : null; }

  function render(el, payload) {
    var rows = payload.rows || [];
    if (!rows.length) {
      el.style.height = "auto";
      el.innerHTML = '<p class="text-muted small mb-0">' + (el.dataset.empty || "没有符合条件的节点。") + "</p>";
      return;
    }
    var labels = rows.map(function (r) { return r.name; });
    var shown = Math.min(rows.length, VISIBLE_ROWS);
    el.style.height = (80 + shown * 26) + "px";
    var data = rows.map(function (r, i) {
      var end = time(r.end), start = time(r.start);
      return {value: [i, start !== null ? start : end, end, time(r.baseline_start), time(r.baseline_end), time(r.actual)], row: r};
    });
    var today = time(payload.today);
    var chart = echarts.init(el, null, {renderer: "canvas"});
    chart.setOption({
      animation: false,
      grid: {left: 10, right: rows.length > shown ? 40 : 16, top: 24, bottom: 30, containLabel: true},
      tooltip: {trigger: "item", formatter: function (p) {
        var r = p.data.row;
        var lines = ["<strong>" + escapeHtml(labels[p.data.value[0]]) + "</strong>",
          "计划：" + (r.end || "—"), "基线：" + (r.baseline_end || "—"), "实际：" + (r.actual || "—"),
          "状态：" + r.status_label + (r.days_late ? "（" + r.days_late + "天）" : "")];
        return lines.join("<br>");
      }},
      // Today always on the axis (with a week's margin), so the red line shows how late a node is.
      xAxis: {type: "time", position: "top", splitLine: {show: true, lineStyle: {color: "#eee"}},
              min: function (v) { return today === null ? v.min : Math.min(v.min, today - 7 * 86400000); },
              max: function (v) { return today === null ? v.max : Math.max(v.max, today + 7 * 86400000); }},
      yAxis: {type: "category", data: labels, inverse: true, axisTick: {show: false},
              axisLabel: {width: 260, overflow: "truncate"}},
      // Rows scroll with the slider on the right (the time axis stays put: filterMode "none"); the
      // mouse wheel keeps scrolling the page.
      dataZoom: rows.length > shown ? [
        {type: "slider", yAxisIndex: 0, right: 6, width: 22, startValue: 0, endValue: shown - 1, filterMode: "none",
         showDetail: false, zoomLock: true, brushSelect: false}
      ] : [],
      series: [{
        type: "custom", encode: {x: [1, 2, 5], y: 0}, data: data, clip: true,
        renderItem: function (params, api) {
          var row = api.value(0), start = api.value(1), end = api.value(2);
          var h = api.size([0, 1])[1];
          var children = [];
          var bs = api.value(3), be = api.value(4);
          if (!isNaN(be) && be !== null) {
            var b0 = api.coord([isNaN(bs) || bs === null ? be : bs, row]), b1 = api.coord([be, row]);
            children.push({type: "rect", shape: {x: b0[0], y: b0[1] + h * 0.18, width: Math.max(b1[0] - b0[0], 2), height: h * 0.12},
                           style: {fill: "#9e9e9e"}});
          }
          if (!isNaN(end) && end !== null) {
            var p0 = api.coord([start, row]), p1 = api.coord([end, row]);
            var color = COLORS[data[params.dataIndex].row.status] || COLORS.planned;
            children.push({type: "rect", shape: {x: p0[0], y: p0[1] - h * 0.28, width: Math.max(p1[0] - p0[0], 3), height: h * 0.42, r: 2},
                           style: {fill: color, opacity: 0.85}});
          }
          var actual = api.value(5);
          if (!isNaN(actual) && actual !== null) {
            var a = api.coord([actual, row]), s = h * 0.22;
            children.push({type: "polygon", shape: {points: [[a[0], a[1] - s], [a[0] + s, a[1]], [a[0], a[1] + s], [a[0] - s, a[1]]]},
                           style: {fill: "#212121"}});
          }
          return {type: "group", children: children};
        },
        markLine: today === null ? undefined : {silent: true, symbol: "none", label: {formatter: "今天", position: "end"},
                                                lineStyle: {color: "#c62828", type: "solid", width: 1.5}, data: [{xAxis: today}]}
      }]
    });
    window.addEventListener("resize", function () { chart.resize(); });
  }

  function escapeHtml(text) {
    return String(text).replace(/[&<>"']/g, function (c) { return {"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;"}[c]; });
  }

  function load(el) {
    render(el, JSON.parse(document.getElementById(el.dataset.source).textContent));
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll(".gantt-chart").forEach(load);
  });
})();
