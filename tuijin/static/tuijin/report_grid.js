// The batch grid (reports/grid.html): derived figures as the clerk types, spreadsheet keys, autosave.
// The arithmetic repeats tuijin/reports/figures.py exactly: money in integer hundredths (BigInt),
// percentages in tenths rounded half up, so the page shows what the server will store.
// The single report page (reports/report_detail.html) uses the same figures: its [data-figures] box
// carries the same data-* basis and data-out cells as a grid row.
(function () {
  "use strict";
  document.querySelectorAll("[data-figures]").forEach((box) => {
    box.addEventListener("input", (event) => { if (event.target.name === "amount") recompute(box); });
    recompute(box);
  });

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
    const input = row.querySelector("input.amount, input[name=amount]");
    if (!input) return;
    const amount = parseCents(input.value);
    const out = (name) => row.querySelector(`[data-out="${name}"]`);
    const ytd = amount === undefined ? null : attrCents(row, "earlier") + (amount || 0n);
    const since = ytd === null ? null : attrCents(row, "opening") + ytd;
    // The server refuses an amount that takes 开工累计 above 总投资 (services.check_rows): say so with
    // its words before saving, instead of figures it will never store.
    const total = attrCents(row, "total");
    const overTotal = amount !== null && since !== null && total !== null && since > total;
    const error = out("amount-error");
    if (error) {
      error.textContent = overTotal ? `开工累计完成投资（${money(since)}万元）将超过总投资（${money(total)}万元）` : "";
      error.hidden = !overTotal;
    }
    input.classList.toggle("is-invalid", amount === undefined || overTotal);
    if (amount === undefined || overTotal) {
      ["ytd", "since", "pct-plan", "pct-total", "gap"].forEach((n) => { out(n).textContent = "—"; });
      out("gap").classList.remove("gap-behind", "gap-ahead");
      return;
    }
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
        // Say who changed which project and when ("“XX项目”已被张调度于 10:42 修改"), not just that someone did.
        const changedBy = conflicts.map((id) => {
          const row = form.querySelector(`tr[data-report="${id}"]`);
          const name = row ? `“${row.dataset.name}”` : "";
          return `${name}${body.conflicts[id].changed || "已被他人修改"}`;
        });
        setStatus(conflicts.length
          ? `自动保存未完成：${changedBy.slice(0, 3).join("；")}${changedBy.length > 3 ? ` 等${changedBy.length}个项目` : ""}。请点“保存草稿”查看`
          : "自动保存未完成：有填写错误（标红行），请点“保存草稿”查看提示", true);
      }
    } catch (error) {
      ids.forEach((id) => dirty.add(id));
      setStatus("自动保存失败（网络问题），您的填写仍在页面上，请稍后点“保存草稿”", true);
    } finally {
      saving = false;
    }
  }

  // 上报所选 sends only the rows the clerk ticked in this visit (nothing is ticked for them); the page
  // says how many and which, asks before sending, and asks again for a returned report sent back as it
  // was returned (the server refuses that without confirm_returned).
  const picks = () => Array.from(form.querySelectorAll("input.pick"));
  const pickedRows = () => picks().filter((box) => box.checked).map((box) => box.closest("tr[data-report]"));
  const fieldsOf = (row) => Array.from(row.querySelectorAll(".cell")).map((field) => field.value).join("\u0001");
  const loaded = new Map();
  form.querySelectorAll("tr[data-report]").forEach((row) => loaded.set(row.dataset.report, fieldsOf(row)));
  const summary = document.getElementById("submit-summary");
  const submitButton = document.getElementById("submit-picked");

  function names(rows) {
    const list = rows.map((row) => `“${row.dataset.name}”`);
    return list.length > 10 ? list.slice(0, 10).join("、") + ` 等${list.length}个` : list.join("、");
  }

  function showPicked() {
    const rows = pickedRows();
    if (summary) summary.textContent = rows.length ? `将上报 ${rows.length} 个项目：${names(rows)}` : "尚未勾选要上报的项目";
    if (submitButton) submitButton.textContent = rows.length ? `上报所选（${rows.length}）` : "上报所选";
  }

  form.addEventListener("change", (event) => {
    if (event.target.classList.contains("pick") || event.target.id === "pick-all") showPicked();
  });

  form.addEventListener("submit", (event) => {
    const submitter = event.submitter;
    if (submitter && submitter.name === "action" && submitter.value === "submit") {
      const rows = pickedRows();
      if (rows.length === 0) {
        event.preventDefault();
        window.alert("请先勾选要上报的项目");
        return;
      }
      if (!window.confirm(`将上报 ${rows.length} 个项目：${names(rows)}\n上报后等待审核，审核前不能再修改。确定上报吗？`)) {
        event.preventDefault();
        return;
      }
      const unchanged = rows.filter((row) => row.dataset.state === "returned" && loaded.get(row.dataset.report) === fieldsOf(row));
      const old = form.querySelector("input[name=confirm_returned]");
      if (old) old.remove();
      if (unchanged.length) {
        if (!window.confirm(`${names(unchanged)}已被退回，本次没有修改。确定不作修改、原样重新上报吗？\n（选“取消”可返回修改）`)) {
          event.preventDefault();
          return;
        }
        const confirmed = document.createElement("input");
        confirmed.type = "hidden";
        confirmed.name = "confirm_returned";
        confirmed.value = "1";
        form.appendChild(confirmed);
      }
    }
    leaving = true;
    clearTimeout(timer);
  });

  const pickAll = document.getElementById("pick-all");
  if (pickAll) {
    pickAll.checked = picks().length > 0 && picks().every((box) => box.checked);
    pickAll.addEventListener("change", () => { picks().forEach((box) => { box.checked = pickAll.checked; }); showPicked(); });
  }
  showPicked();

  form.querySelectorAll("tr[data-report]").forEach(recompute);
})();
