/* 挂图作战: the wall chart. One row per project (light, full name, 分包领导, nodes done) with its plan as a
 * bar (the done part darker) and its nodes as diamonds coloured by state; a row's ▸ opens a row per node
 * (its bar from the previous node, the baseline under it, the actual date as a black diamond). Group
 * headings (县区, 牵头单位, 分包领导) fold their rows. The red line is today.
 *
 * Every position comes from the server in percent of the time axis (schedules/wall.py, the layout the
 * print page uses too): this file only places elements. The rows load from data-url (gantt_data) as
 * {ticks, lines, today_x, groups, rows: [...], page, pages, note}. Words come from the page (data-*) or
 * the server, so the chart speaks the page's language. */
(function () {
  "use strict";

  function el(tag, className, text) {
    var node = document.createElement(tag);
    if (className) { node.className = className; }
    if (text !== undefined && text !== null) { node.textContent = text; }
    return node;
  }

  function pct(value) { return value + "%"; }

  function bar(className, span, title) {
    var node = el("i", className);
    node.style.left = pct(span[0]);
    node.style.width = pct(span[1]);
    if (title) { node.title = title; }
    return node;
  }

  function diamond(className, x, title) {
    var node = el("i", className);
    node.style.left = pct(x);
    if (title) { node.title = title; }
    return node;
  }

  // The page's words ({name}) and the server's templates (%(name)s), filled in.
  function words(text, values) {
    return text.replace(/\{(\w+)\}/g, function (_m, key) { return values[key]; });
  }

  function fmt(text, values) {
    return text.replace(/%\((\w+)\)s/g, function (_m, key) { return values[key]; });
  }

  // A node's state (已逾期（12天）) and its tooltip (主体封顶：计划2026-05-01，已逾期（12天），实际…),
  // from the server's templates in the page's language.
  function state(n, payload) {
    var label = n.label || payload.statuses[n.status];
    return label + (n.days_late ? fmt(payload.words.days, {n: n.days_late}) : "");
  }

  function title(n, payload) {
    var w = payload.words;
    var when = n.planned ? fmt(w.planned, {d: n.planned}) : w.unscheduled;
    var text = fmt(w.title, {name: n.name, when: when, state: state(n, payload)});
    return n.actual ? text + fmt(w.actual, {d: n.actual}) : text;
  }

  // The name column as wide as the longest name (full names, never cut), within reason.
  function nameWidth(rows, probe) {
    var canvas = document.createElement("canvas").getContext("2d");
    var style = window.getComputedStyle(probe);
    canvas.font = "600 " + style.fontSize + " " + style.fontFamily;
    var widest = 0;
    rows.forEach(function (r) { widest = Math.max(widest, canvas.measureText(r.name).width); });
    return Math.round(Math.min(Math.max(widest + 16, 180), 440));
  }

  function timeCell() {
    return el("div", "wall-cell c-time");
  }

  function projectRow(row, wall, payload) {
    var line = el("div", "wall-row wall-project");
    line.dataset.id = row.id;
    line.dataset.group = row.group;
    var toggle = el("button", "wall-toggle", "▸");
    toggle.type = "button";
    toggle.setAttribute("aria-expanded", "false");
    toggle.setAttribute("aria-label", words(wall.dataset.expand, {name: row.name}));
    line.appendChild(toggle);

    var light = el("div", "wall-cell c-light");
    if (row.light !== null) {
      var dot = el("span", "light-dot light-" + row.light);
      var why = row.light_label + (row.light_reason ? " · " + row.light_reason : "");
      dot.title = why;
      dot.setAttribute("role", "img");
      dot.setAttribute("aria-label", why);
      light.appendChild(dot);
    }
    line.appendChild(light);

    var name = el("div", "wall-cell c-name");
    var link = el("a", "", row.name);
    link.href = row.url;
    link.title = row.region ? row.name + " · " + row.region : row.name;
    name.appendChild(link);
    line.appendChild(name);

    var leaders = el("div", "wall-cell c-leader", row.leaders || "—");
    if (row.leaders_title) { leaders.title = row.leaders_title; }
    line.appendChild(leaders);

    var progress = el("div", "wall-cell c-progress");
    progress.title = row.progress_title;
    progress.appendChild(el("span", "done", row.done + "/" + row.count));
    if (row.overdue) { progress.appendChild(el("span", "late", row.overdue_label)); }
    line.appendChild(progress);

    var time = timeCell();
    if (row.summary) { time.appendChild(bar("plan", row.summary)); }
    if (row.done_bar) { time.appendChild(bar("plan-done", row.done_bar)); }
    row.nodes.forEach(function (n) {
      if (n.x !== null) { time.appendChild(diamond("diamond s-" + n.status, n.x, title(n, payload))); }
    });
    var w = payload.words;
    if (row.before) {
      var b = el("span", "edge before", "◂" + row.before);
      b.title = fmt(w.before, {n: row.before, d: payload.window.start, node: title(row.nodes[row.before_node], payload)});
      time.appendChild(b);
    }
    if (row.after) {
      var a = el("span", "edge after", row.after + "▸");
      a.title = fmt(w.after, {n: row.after, d: payload.window.last, node: title(row.nodes[row.after_node], payload)});
      time.appendChild(a);
    }
    line.appendChild(time);

    toggle.addEventListener("click", function () { expand(line, row, toggle, wall, payload); });
    return line;
  }

  function nodeRows(row, payload) {
    return row.nodes.map(function (n) {
      var line = el("div", "wall-row wall-node");
      line.dataset.project = row.id;
      line.title = title(n, payload);
      line.appendChild(el("div", "wall-cell"));
      var mark = el("div", "wall-cell c-light");
      mark.appendChild(el("i", "mini-diamond s-" + n.status));
      line.appendChild(mark);
      var name = el("div", "wall-cell c-name");
      name.appendChild(el("span", "node-name", n.name));
      name.appendChild(el("span", "node-state s-text-" + n.status, state(n, payload)));
      line.appendChild(name);
      line.appendChild(el("div", "wall-cell c-leader date", n.planned || "—"));
      line.appendChild(el("div", "wall-cell c-progress date", n.actual || ""));
      var time = timeCell();
      if (n.baseline) { time.appendChild(bar("node-baseline", n.baseline)); }
      if (n.bar) { time.appendChild(bar("node-bar s-" + n.status, n.bar)); }
      if (n.actual_x !== null) { time.appendChild(diamond("actual", n.actual_x)); }
      line.appendChild(time);
      return line;
    });
  }

  function expand(line, row, toggle, wall, payload) {
    var open = toggle.getAttribute("aria-expanded") === "true";
    if (open) {
      var next = line.nextElementSibling;
      while (next && next.classList.contains("wall-node")) {
        var gone = next;
        next = next.nextElementSibling;
        gone.remove();
      }
    } else {
      var after = line;
      nodeRows(row, payload).forEach(function (n) { after.after(n); after = n; });
    }
    toggle.setAttribute("aria-expanded", open ? "false" : "true");
    toggle.textContent = open ? "▸" : "▾";
    toggle.setAttribute("aria-label", words(open ? wall.dataset.expand : wall.dataset.collapse, {name: row.name}));
    line.classList.toggle("open", !open);
  }

  function groupRow(group, payload, wall) {
    var line = el("div", "wall-group");
    line.dataset.group = group.key;
    var toggle = el("button", "wall-toggle", "▾");
    toggle.type = "button";
    toggle.setAttribute("aria-expanded", "true");
    toggle.setAttribute("aria-label", words(wall.dataset.fold, {name: group.name}));
    line.appendChild(toggle);
    line.appendChild(el("span", "group-name", group.name));
    var counts = el("span", "group-counts", group.counts);
    [[2, group.red], [1, group.yellow]].forEach(function (pair) {
      if (!pair[1]) { return; }
      var part = el("span", "group-light");
      part.appendChild(el("span", "light-dot light-" + pair[0]));
      part.appendChild(document.createTextNode(payload.lights[pair[0]] + " " + pair[1]));
      counts.appendChild(part);
    });
    line.appendChild(counts);
    toggle.addEventListener("click", function () {
      var open = toggle.getAttribute("aria-expanded") === "true";
      toggle.setAttribute("aria-expanded", open ? "false" : "true");
      toggle.textContent = open ? "▸" : "▾";
      var next = line.nextElementSibling;
      while (next && !next.classList.contains("wall-group")) {
        next.hidden = open;
        next = next.nextElementSibling;
      }
    });
    return line;
  }

  function axis(head, payload) {
    head.replaceChildren();
    payload.ticks.forEach(function (t) {
      var tick = el("span", "tick", t[2]);
      tick.style.left = pct(t[0]);
      tick.style.width = pct(t[1]);
      head.appendChild(tick);
    });
  }

  function overlay(payload) {
    var layer = el("div", "wall-lines");
    layer.setAttribute("aria-hidden", "true");
    payload.lines.forEach(function (x) { layer.appendChild(diamond("grid", x)); });
    if (payload.today_x !== null) {
      var today = diamond("today", payload.today_x);
      today.title = payload.today;
      layer.appendChild(today);
    }
    return layer;
  }

  function pager(wall, payload) {
    var nav = document.getElementById(wall.dataset.pager || "");
    if (!nav) { return; }
    nav.replaceChildren();
    if (payload.pages < 2) { nav.hidden = true; return; }
    nav.hidden = false;
    function link(label, page) {
      var url = new URL(window.location.href);
      url.searchParams.set("page", page);
      var a = el("a", "btn btn-sm btn-outline-secondary", label);
      a.href = url.pathname + url.search;
      return a;
    }
    if (payload.page > 1) { nav.appendChild(link(wall.dataset.prev, payload.page - 1)); }
    nav.appendChild(el("span", "small text-muted", words(wall.dataset.pageOf, {p: payload.page, n: payload.pages})));
    if (payload.page < payload.pages) { nav.appendChild(link(wall.dataset.next, payload.page + 1)); }
  }

  function fit(wall) {
    // The rows scroll under the axis within the window, so the chart fills the screen (the page itself
    // does not scroll on a 1440×900 screen); never shorter than a dozen rows.
    var scroller = wall.querySelector(".wall-scroll");
    var nav = document.getElementById(wall.dataset.pager || "");
    var below = nav && !nav.hidden ? nav.offsetHeight + 8 : 0;
    var top = scroller.getBoundingClientRect().top + window.scrollY;
    scroller.style.maxHeight = Math.max(320, window.innerHeight - top - below - 16) + "px";
  }

  function render(wall, payload) {
    var rows = wall.querySelector(".wall-rows");
    var note = document.getElementById(wall.dataset.note || "");
    if (note) { note.textContent = payload.note; }
    axis(wall.querySelector(".wall-head .c-time"), payload);
    pager(wall, payload);
    rows.replaceChildren();
    if (!payload.rows.length) {
      rows.appendChild(el("p", "wall-empty", wall.dataset.empty));
      fit(wall);
      return;
    }
    wall.style.setProperty("--name-w", nameWidth(payload.rows, wall.querySelector(".wall-head .c-name")) + "px");
    var groups = {};
    payload.groups.forEach(function (g) { groups[g.key] = g; });
    var fragment = document.createDocumentFragment();
    fragment.appendChild(overlay(payload));
    var current = null;
    payload.rows.forEach(function (row) {
      if (payload.group && row.group !== current && groups[row.group]) {
        current = row.group;
        fragment.appendChild(groupRow(groups[row.group], payload, wall));
      }
      fragment.appendChild(projectRow(row, wall, payload));
    });
    rows.appendChild(fragment);
    fit(wall);
  }

  function load(wall) {
    var rows = wall.querySelector(".wall-rows");
    fetch(wall.dataset.url, {headers: {"Accept": "application/json"}, credentials: "same-origin"})
      .then(function (r) { return r.json().then(function (body) { return {ok: r.ok, body: body}; }); })
      .then(function (res) {
        if (!res.ok) {
          rows.replaceChildren(el("p", "wall-empty text-danger", res.body.error || wall.dataset.error));
          return;
        }
        render(wall, res.body);
        wall.dataset.loaded = "true";
      })
      .catch(function () { rows.replaceChildren(el("p", "wall-empty text-danger", wall.dataset.error)); });
    window.addEventListener("resize", function () { fit(wall); });
    // 更多筛选 opening or closing moves the chart: it fills the window again.
    ["shown.bs.collapse", "hidden.bs.collapse"].forEach(function (name) {
      document.addEventListener(name, function () { fit(wall); });
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll(".wall[data-url]").forEach(load);
  });
})();
