// Planned vs actual cumulative investment of a year (reports/project_reports.html), with ECharts.
(function () {
  "use strict";
  const holder = document.getElementById("s-curve");
  const source = document.getElementById("s-curve-data");
  if (!holder || !source || typeof echarts === "undefined") return;
  const data = JSON.parse(source.textContent);
  const chart = echarts.init(holder);
  const toNumber = (v) => (v === null || v === undefined ? null : Number(v));
  const series = [];
  if (data.planned && data.planned.length) {
    series.push({ name: "计划累计", type: "line", data: data.planned.map(toNumber), lineStyle: { type: "dashed" }, symbol: "circle" });
  }
  series.push({ name: "实际累计", type: "line", data: data.actual.map(toNumber), connectNulls: false, symbol: "circle", areaStyle: { opacity: 0.08 } });
  chart.setOption({
    animation: false,
    tooltip: { trigger: "axis", valueFormatter: (v) => (v === null || v === undefined ? "—" : Number(v).toLocaleString("zh-CN", { minimumFractionDigits: 2, maximumFractionDigits: 2 }) + " 万元") },
    legend: { data: series.map((s) => s.name) },
    grid: { left: 70, right: 20, top: 40, bottom: 30 },
    xAxis: { type: "category", data: data.months },
    yAxis: { type: "value", name: "万元" },
    series: series,
  });
  window.addEventListener("resize", () => chart.resize());
})();
