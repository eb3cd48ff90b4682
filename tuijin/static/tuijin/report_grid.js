// The batch grid (reports/grid.html): derived figures as the clerk types, spreadsheet keys, autosave.
// The arithmetic repeats tuijin/reports/figures.py exactly: money in integer hundredths (BigInt),
// percentages in tenths rounded half up, so the page shows what the server will store.
(function () {
  "use strict";
  const form = document.getElementById("report-grid");
  if (!form) return;

  const status = document.getElementById("autosave-status");

  // The server's rule for an amount's text (core.fields.number_text): full-width digits, point, comma
  // and minus become ASCII (NFKC), spaces and thousands commas go. "１２３４５．６" → "12345.6".
  function numberText(text) {
    return String(text || "").normalize("NFKC").trim().replace(/,/g, "");
  }

  function parseCents(text) {
    const clean = numberText(text).replace(/\s/g, "");
    if (clean === "") return null;
    const match = /^(\d+)(?:\.(\d{0,2}))?$/.exec(clean);
    if (!match) return undefined; // not a number the server would take
    return BigInt(match[1]) * 100n + BigInt(((match[2] || "") + "00").slice(0, 2));
  }

  function attrCents(row, name) {
    const value = row.dataset[name];
    return value === undefined || value === "" ? null : BigInt(value);
  }

  function money(cents) {
    const negative = cents < 0n;
    const abs = negative ? -cents : cents;
    const whole = (abs / 100n).toString().replace(/\B(?=(\d{3})+(?!\d))/g, ",");
    const frac = (abs % 100n).toString().padStart(2, "0");
    return (negative ? "-" : "") + whole + "." + frac;
  }

  // part ÷ whole in percent, as tenths, rounded half up (both non-negative, whole > 0).
  function tenths(part, whole) {
    if (part === null || whole === null || whole <= 0n) return null;
    return (2n * part * 1000n + whole) / (2n * whole);
  }

  function showTenths(t) {
    const negative = t < 0n;
    const abs = negative ? -t : t;
    return (negative ? "-" : "") + (abs / 10n).toString() + "." + (abs % 10n).toString();
  }

  function recompute(row) {
    const input = row.querySelector("input.amount");
    if (!input) return;
    const amount = parseCents(input.value);
    const out = (name) => row.querySelector(`[data-out="${name}"]`);
    input.classList.toggle("is-invalid", amount === undefined);
    if (amount === undefined) {
      ["ytd", "since", "pct-plan", "pct-total", "gap"].forEach((n) => { out(n).textContent = "—"; });
      return;
    }
    const ytd = attrCents(row, "earlier") + (amount || 0n);
    const since = attrCents(row, "opening") + ytd;
    const pctPlan = tenths(ytd, attrCents(row, "planned"));
    const pctTotal = tenths(since, attrCents(row, "total"));
    out("ytd").textContent = money(ytd);
    out("since").textContent = money(since);
    out("pct-plan").textContent = pctPlan === null ? "—" : showTenths(pctPlan) + "%";
    out("pct-total").textContent = pctTotal === null ? "—" : showTenths(pctTotal) + "%";
    const gapCell = out("gap");
    gapCell.classList.remove("gap-behind", "gap-ahead");
    if (pctPlan === null || row.dataset.schedule === "") {
      gapCell.textContent = "—";
    } else {
      const gap = pctPlan - BigInt(row.dataset.schedule);
      if (gap < 0n) { gapCell.textContent = `低于序时进度${showTenths(-gap)}个百分点`; gapCell.classList.add("gap-behind"); }
      else if (gap > 0n) { gapCell.textContent = `超过序时进度${showTenths(gap)}个百分点`; gapCell.classList.add("gap-ahead"); }
      else { gapCell.textContent = "与序时进度持平"; }
    }
  }

  // Enter moves down (Shift+Enter up) in the same column, like a spreadsheet; Tab stays native.
  form.addEventListener("keydown", (event) => {
    if (event.key !== "Enter" || !event.target.classList.contains("cell")) return;
    event.preventDefault();
    const cell = event.target.closest("td");
    const row = cell.parentElement;
    const column = Array.prototype.indexOf.call(row.children, cell);
    let next = event.shiftKey ? row.previousElementSibling : row.nextElementSibling;
    while (next) {
      const target = next.children[column] && next.children[column].querySelector(".cell");
      if (target) { target.focus(); if (target.select) target.select(); return; }
      next = event.shiftKey ? next.previousElementSibling : next.nextElementSibling;
    }
  });

  const dirty = new Set();
  let timer = null;
  let saving = false;
  let leaving = false;

  form.addEventListener("input", (event) => {
    const row = event.target.closest("tr[data-report]");
    if (!row || !event.target.classList.contains("cell")) return;
    if (event.target.classList.contains("amount")) recompute(row);
    tickWhenComplete(row);
    dirty.add(row.dataset.report);
    row.classList.add("row-dirty");
    schedule();
  });
  form.addEventListener("change", (event) => {
    if (event.target.classList.contains("amount")) {
      const shown = numberText(event.target.value); // show the amount as it will be saved
      if (shown !== event.target.value) event.target.value = shown;
    }
    if (event.target.tagName === "SELECT" && event.target.classList.contains("cell")) {
      const row = event.target.closest("tr[data-report]");
      dirty.add(row.dataset.report);
      row.classList.add("row-dirty");
      schedule();
    }
  });

  // A row with both the amount and the 形象进度 filled is ready to hand in: tick it (and untick it when
  // one of them is cleared), so 上报所选 never sends half-filled rows.
  function tickWhenComplete(row) {
    const box = row.querySelector("input.pick");
    const amount = row.querySelector("input.amount");
    const progress = row.querySelector("input.progress-text");
    if (!box || !amount || !progress) return;
    box.checked = amount.value.trim() !== "" && progress.value.trim() !== "";
  }

  function schedule() {
    clearTimeout(timer);
    timer = setTimeout(autosave, 1500);
  }

  function setStatus(text, bad) {
    if (!status) return;
    status.textContent = text;
    status.classList.toggle("text-danger", !!bad);
  }

  async function autosave() {
    if (saving || leaving || dirty.size === 0) return;
    saving = true;
    const ids = Array.from(dirty);
    dirty.clear();
    const data = new FormData();
    data.append("csrfmiddlewaretoken", form.querySelector("[name=csrfmiddlewaretoken]").value);
    data.append("action", "save");
    ids.forEach((id) => {
      data.append("row", id);
      form.querySelectorAll(`[name^="r${id}-"]`).forEach((field) => {
        if (field.name.endsWith("-pick")) return;
        data.append(field.name, field.value);
      });
    });
    setStatus("正在自动保存…");
    try {
      const response = await fetch(form.dataset.autosaveUrl, {
        method: "POST", body: data, headers: { "X-Tuijin-Autosave": "1" }, credentials: "same-origin",
      });
      const body = await response.json();
      if (body.ok) {
        Object.entries(body.versions).forEach(([id, version]) => {
          const field = form.querySelector(`[name="r${id}-version"]`);
          if (field) field.value = version;
          const row = form.querySelector(`tr[data-report="${id}"]`);
          if (row) {
            row.classList.remove("row-dirty", "row-error");
            const badge = row.querySelector("td.state .badge");
            if (badge && body.states[id]) { badge.textContent = body.states[id]; badge.className = "badge text-bg-warning"; }
          }
        });
        setStatus(`草稿已自动保存 ${body.saved_at}`);
      } else {
        ids.forEach((id) => dirty.add(id));
        const conflicts = Object.keys(body.conflicts || {});
        Object.keys(body.errors || {}).concat(conflicts).forEach((id) => {
          const row = form.querySelector(`tr[data-report="${id}"]`);
          if (row) row.classList.add(conflicts.includes(id) ? "row-conflict" : "row-error");
        });
        setStatus(conflicts.length
          ? "自动保存未完成：有项目已被他人修改，请点“保存草稿”查看"
          : "自动保存未完成：有填写错误（标红行），请点“保存草稿”查看提示", true);
      }
    } catch (error) {
      ids.forEach((id) => dirty.add(id));
      setStatus("自动保存失败（网络问题），您的填写仍在页面上，请稍后点“保存草稿”", true);
    } finally {
      saving = false;
    }
  }

  form.addEventListener("submit", () => { leaving = true; clearTimeout(timer); });

  const pickAll = document.getElementById("pick-all");
  if (pickAll) {
    const picks = () => form.querySelectorAll("input.pick");
    pickAll.checked = Array.from(picks()).every((box) => box.checked);
    pickAll.addEventListener("change", () => picks().forEach((box) => { box.checked = pickAll.checked; }));
  }

  form.querySelectorAll("tr[data-report]").forEach(recompute);
})();
