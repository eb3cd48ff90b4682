// 驾驶舱 (dashboards/cockpit.html): the charts of the figures the data URL answers, with ECharts.
// Every number comes from the server as an exact decimal string; the charts plot Number(...) of it and the
// labels and tooltips show the string itself. Each element opens the list it summarises (its `ledger`
// or `links` address). The charts are kept on window.tuijinCockpit for the browser tests.
(function () {
  "use strict";
  const root = document.getElementById("cockpit");
  if (!root) return;
  const COLORS = { done: "#1565c0", plan: "#ef6c00", annual: "#6c757d", due: "#c62828",
                   red: "#c62828", yellow: "#f9a825", green: "#2e7d32", closed: "#2e7d32", raised: "#ef6c00",
                   behind: "#e57373", ahead: "#66bb6a" };
  const state = { charts: {}, data: null };
  window.tuijinCockpit = state;

  const num = (v) => (v === null || v === undefined ? null : Number(v));
  // "1234567.80" → "1,234,567.80" without going through a float.
  const money = (s) => {
    if (s === null || s === undefined) return "—";
    const [whole, part] = String(s).split(".");
    return whole.replace(/\B(?=(\d{3})+(?!\d))/g, ",") + (part !== undefined ? "." + part : "");
  };
  const pct = (s) => (s === null || s === undefined ? "—" : s + "%");
  const esc = (s) => String(s).replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" }[c]));
  const go = (href) => { if (href) window.location.href = href; };

  function showError(message) {
    const box = document.getElementById("cockpit-error");
    box.textContent = message || root.dataset.failed;
    box.classList.remove("d-none");
    root.dataset.ready = "error";
  }

  function make(id, height) {
    const holder = document.getElementById(id);
    if (height) holder.style.height = height + "px";
    const chart = echarts.init(holder);
    state.charts[id.replace("chart-", "")] = chart;
    return chart;
  }

  function kpis(data) {
    const t = data.total, L = data.labels;
    const fill = (key, text, note, href) => {
      const card = document.getElementById("kpi-" + key);
      if (!card) return;
      card.querySelector(".kpi-value").textContent = text;
      card.querySelector(".kpi-note").textContent = note || "";
      if (href) card.href = href; else card.removeAttribute("href");
    };
    fill("projects", String(t.projects), L.unit_projects, t.ledger);
    fill("total_investment", money(t.total_investment), L.wan, t.ledger);
    fill("annual_plan", money(t.annual_plan), L.wan, t.ledger);
    fill("completed", money(t.completed), L.wan, t.ledger);
    fill("plan_rate", pct(t.plan_rate), "", t.links.plan_rate);
    fill("time_progress", pct(t.time_progress), "", t.links.time_progress);
    const dev = document.getElementById("kpi-deviation_points");
    fill("deviation_points", t.deviation_points === null ? "—" : (Number(t.deviation_points) > 0 ? "+" : "") + t.deviation_points,
         t.deviation_text, t.links.deviation_points);
    if (dev && t.deviation_points !== null) {
      dev.querySelector(".kpi-value").classList.toggle("text-danger", Number(t.deviation_points) < 0);
      dev.querySelector(".kpi-value").classList.toggle("text-success", Number(t.deviation_points) >= 0);
    }
    document.getElementById("cockpit-basis").textContent = data.label;
    const ledger = document.getElementById("cockpit-ledger");
    if (t.ledger) { ledger.href = t.ledger; ledger.classList.remove("d-none"); }
  }

  // An axis top at a round step above `top` (1, 2, 2.5 or 5 × 10ⁿ, about five steps), so the annual plan's
  // line fits under it and the ticks stay round.
  function niceAxis(top) {
    if (!(top > 0)) return {};
    const raw = top / 5, magnitude = Math.pow(10, Math.floor(Math.log10(raw))), norm = raw / magnitude;
    const step = (norm <= 1 ? 1 : norm <= 2 ? 2 : norm <= 2.5 ? 2.5 : norm <= 5 ? 5 : 10) * magnitude;
    return { max: Math.ceil(top / step) * step, interval: step };
  }

  function months(data) {
    const L = data.labels, rows = data.months.rows;
    const chart = make("chart-months");
    const annual = num(data.total.annual_plan);
    const top = Math.max(annual || 0, ...rows.map((r) => num(r.completed) || 0), ...rows.map((r) => num(r.plan_to_date) || 0));
    chart.setOption({
      animation: false,
      color: [COLORS.done, COLORS.plan],
      tooltip: {
        trigger: "axis",
        formatter: (items) => {
          const r = rows[items[0].dataIndex];
          const lines = [`<strong>${esc(r.name)}</strong>`,
            `${esc(L.completed)}：${money(r.completed)} ${esc(L.wan)}`,
            `${esc(L.plan_to_date)}：${money(r.plan_to_date)} ${esc(L.wan)}`,
            `${esc(L.annual_plan)}：${money(r.annual_plan)} ${esc(L.wan)}`,
            `${esc(L.plan_rate)}：${pct(r.plan_rate)}　${esc(L.time_progress)}：${pct(r.time_progress)}`];
          if (r.deviation_text) lines.push(esc(r.deviation_text));
          return lines.join("<br>");
        },
      },
      legend: { data: [L.completed, L.plan_to_date], bottom: 0 },
      grid: { left: 90, right: 30, top: 30, bottom: 56 },
      xAxis: { type: "category", data: rows.map((r) => r.label), boundaryGap: false },
      yAxis: { type: "value", name: L.wan, ...niceAxis(top) },
      series: [
        { name: L.completed, type: "line", data: rows.map((r) => num(r.completed)), symbolSize: 8, connectNulls: false,
          areaStyle: { opacity: 0.08 }, lineStyle: { width: 3 } },
        { name: L.plan_to_date, type: "line", data: rows.map((r) => num(r.plan_to_date)), symbolSize: 6,
          lineStyle: { type: "dashed" },
          markLine: annual ? { symbol: "none", silent: true, lineStyle: { color: COLORS.annual, type: "dotted" },
            label: { formatter: `${L.annual_plan} ${money(data.total.annual_plan)}`, position: "insideEndTop" },
            data: [{ yAxis: annual }] } : undefined },
      ],
    });
    chart.on("click", (p) => {
      const r = rows[p.dataIndex];
      go(p.seriesIndex === 0 ? r.links.completed : r.links.plan_to_date);
    });
  }

  // Bars of 年计划完成率 in rank order (first on top), 序时进度 as a mark on each bar.
  function ranked(id, block, data) {
    const L = data.labels, rows = block.rows;
    const chart = make(id, Math.max(260, 34 + rows.length * 30));
    if (!rows.length) { chart.setOption({ title: { text: L.none, left: "center", top: "middle", textStyle: { color: "#999", fontSize: 14 } } }); return; }
    chart.setOption({
      animation: false,
      tooltip: {
        trigger: "item",
        formatter: (p) => {
          const r = rows[p.dataIndex];
          return [`<strong>${esc(L.rank.replace("%(n)s", r.rank))} ${esc(r.name)}</strong>`,
            r.plan_rate === null ? esc(L.no_plan)
              : `${esc(L.plan_rate)}：${pct(r.plan_rate)}　${esc(L.time_progress)}：${pct(r.time_progress)}`,
            r.deviation_text ? esc(r.deviation_text) : "",
            `${esc(L.completed)}：${money(r.completed)} ${esc(L.wan)}`,
            `${esc(L.annual_plan)}：${money(r.annual_plan)} ${esc(L.wan)}`,
            `${esc(L.projects)}：${r.projects} ${esc(L.unit_projects)}`,
            esc(r.ledger ? L.click_ledger : L.click_list)].filter(Boolean).join("<br>");
        },
      },
      grid: { left: 8, right: 56, top: 8, bottom: 8, containLabel: true },
      xAxis: { type: "value", axisLabel: { formatter: "{value}%" } },
      yAxis: { type: "category", inverse: true, data: rows.map((r) => `${r.rank}. ${r.name}`),
               axisLabel: { width: 130, overflow: "truncate" } },
      series: [
        { name: L.plan_rate, type: "bar", barMaxWidth: 18,
          // Red below 序时进度, green at or above it; the rate written inside a long bar, after a short one.
          data: rows.map((r) => ({ value: num(r.plan_rate),
            itemStyle: { color: r.deviation_points !== null && Number(r.deviation_points) < 0 ? COLORS.behind : COLORS.ahead },
            label: num(r.plan_rate) > 25 ? { position: "insideRight", color: "#fff" } : { position: "right", color: "#333" } })),
          label: { show: true, formatter: (p) => pct(rows[p.dataIndex].plan_rate) } },
        { name: L.time_progress, type: "scatter", data: rows.map((r) => num(r.time_progress)), symbol: "rect",
          symbolSize: [3, 20], itemStyle: { color: "#37474f" }, z: 5 },
      ],
    });
    chart.on("click", (p) => { const r = rows[p.dataIndex]; go(r.ledger || r.explain); });
  }

  function funnel(data) {
    const L = data.labels, rows = data.funnel;
    const chart = make("chart-funnel");
    if (!rows.length) { chart.setOption({ title: { text: L.none, left: "center", top: "middle", textStyle: { color: "#999", fontSize: 14 } } }); }
    else {
      const most = Math.max(...rows.map((r) => r.projects), 1);
      chart.setOption({
        animation: false,
        tooltip: { trigger: "item", formatter: (p) => `${esc(rows[p.dataIndex].name)}：${rows[p.dataIndex].projects} ${esc(L.unit_projects)}<br>${esc(L.click_ledger)}` },
        series: [{ type: "funnel", sort: "none", left: "8%", right: "8%", top: 8, bottom: 8, min: 0, max: most,
          minSize: "34%", gap: 2, label: { position: "inside", formatter: (p) => `${rows[p.dataIndex].name}  ${rows[p.dataIndex].projects}`, color: "#fff" },
          data: rows.map((r) => ({ name: r.name, value: r.projects })) }],
      });
      chart.on("click", (p) => go(rows[p.dataIndex].ledger));
    }
    const aside = document.getElementById("funnel-aside");
    aside.innerHTML = data.stages_aside.map((r) => r.ledger
      ? `<a href="${esc(r.ledger)}">${esc(r.name)} ${r.projects}</a>` : `${esc(r.name)} ${r.projects}`).join("　");
  }

  function lights(data) {
    const L = data.labels, rows = data.lights;
    const chart = make("chart-lights");
    chart.setOption({
      animation: false,
      tooltip: { trigger: "item", formatter: (p) => `${esc(rows[p.dataIndex].name)}：${rows[p.dataIndex].projects} ${esc(L.unit_projects)}` },
      legend: { bottom: 0 },
      series: [{ type: "pie", radius: ["38%", "68%"], center: ["50%", "45%"], avoidLabelOverlap: true,
        label: { formatter: (p) => `${rows[p.dataIndex].name} ${rows[p.dataIndex].projects}` },
        // A light no project has keeps its place in the legend but draws no label.
        data: rows.map((r) => ({ name: r.name, value: r.projects, itemStyle: { color: COLORS[r.key] },
          label: { show: r.projects > 0 }, labelLine: { show: r.projects > 0 } })) }],
    });
    chart.on("click", (p) => go(rows[p.dataIndex].ledger));
  }

  function problems(data) {
    const L = data.labels, rows = data.months.rows;
    const chart = make("chart-problems");
    chart.setOption({
      animation: false,
      color: [COLORS.raised, COLORS.closed, "#455a64"],
      tooltip: { trigger: "axis", formatter: (items) => {
        const r = rows[items[0].dataIndex];
        if (!r.known) return esc(r.name);
        return [`<strong>${esc(r.name)}</strong>`, `${esc(L.problems)}：${r.problems}`, `${esc(L.problems_closed)}：${r.problems_closed}`,
          `${esc(L.problem_close_rate)}：${pct(r.problem_close_rate)}`, esc(L.click_list)].join("<br>");
      } },
      legend: { data: [L.problems, L.problems_closed, L.problem_close_rate], bottom: 0 },
      grid: { left: 44, right: 44, top: 16, bottom: 64 },
      xAxis: { type: "category", data: rows.map((r) => r.label) },
      yAxis: [{ type: "value", minInterval: 1 }, { type: "value", max: 100, axisLabel: { formatter: "{value}%" }, splitLine: { show: false } }],
      series: [
        { name: L.problems, type: "bar", data: rows.map((r) => r.problems), barGap: "10%" },
        { name: L.problems_closed, type: "bar", data: rows.map((r) => r.problems_closed) },
        { name: L.problem_close_rate, type: "line", yAxisIndex: 1, data: rows.map((r) => num(r.problem_close_rate)), symbolSize: 5 },
      ],
    });
    chart.on("click", (p) => {
      const r = rows[p.dataIndex];
      go(p.seriesIndex === 1 ? r.links.problems_closed : r.links.problems);
    });
    if (!rows.some((r) => r.known && r.problems)) {
      chart.setOption({ title: { text: L.no_problems, left: "center", top: "middle", textStyle: { color: "#999", fontSize: 14 } } });
    }
  }

  function gauges(data) {
    const rows = data.gauges;
    const chart = make("chart-gauges");
    const holder = document.getElementById("chart-gauges");
    // Two gauges side by side: each within its half of the width.
    const radius = Math.max(60, Math.min(holder.clientWidth / 4 - 10, holder.clientHeight / 2 - 20));
    chart.setOption({
      animation: false,
      series: rows.map((g, i) => ({
        type: "gauge", center: [i === 0 ? "25%" : "75%", "55%"], radius: radius, min: 0, max: 100,
        progress: { show: true, width: 12 }, axisLine: { lineStyle: { width: 12 } }, splitNumber: 5,
        axisLabel: { distance: 16, fontSize: 10, formatter: (v) => (v > 0 && v < 100 ? String(v) : "") },
        axisTick: { show: false }, pointer: { width: 4 },
        title: { offsetCenter: [0, "82%"], fontSize: 13 }, detail: { offsetCenter: [0, "45%"], fontSize: 18,
          formatter: () => pct(g.value) },
        data: [{ value: num(g.value) || 0, name: g.name }],
      })),
    });
    chart.on("click", (p) => go(rows[p.seriesIndex].link));
    for (const g of rows) {
      const note = document.getElementById("gauge-note-" + g.key);
      if (note) note.innerHTML = `<a href="${esc(g.link)}">${esc(g.done_label)} ${g.done} / ${esc(g.planned_label)} ${g.planned}</a>`;
    }
  }

  function draw(data) {
    state.data = data;
    kpis(data);
    months(data);
    gauges(data);
    ranked("chart-regions", data.regions, data);
    ranked("chart-categories", data.categories, data);
    funnel(data);
    lights(data);
    problems(data);
    window.addEventListener("resize", () => Object.values(state.charts).forEach((c) => c.resize()));
    root.dataset.ready = "1";
  }

  if (typeof echarts === "undefined") { showError(); return; }
  fetch(root.dataset.url, { headers: { Accept: "application/json" }, credentials: "same-origin" })
    .then((response) => response.json().then((body) => ({ ok: response.ok, body })))
    .then(({ ok, body }) => (ok ? draw(body) : showError(body.error)))
    .catch(() => showError());
})();
