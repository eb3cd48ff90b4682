// The big screen (dashboards/screen.html): draws the screen from its data (first from the page, then from
// the data URL every few minutes, in place: no reload, no flash, no sign-in page), rolls the long lists,
// keeps the clock, and mounts the 落地地图 when the app has it (window.TuijinMap). Every word and number
// comes worded from the server; this file only places them.
(function () {
  "use strict";
  const root = document.getElementById("screen");
  const source = document.getElementById("screen-data");
  if (!root || !source) return;

  const RETRY_SECONDS = 60;
  const reducedMotion = window.matchMedia("(prefers-reduced-motion: reduce)");
  const SECONDS_PER_ROW = 3;
  const text = root.dataset;
  const refreshSeconds = Math.max(30, Number(text.refresh) || 300);
  let timer = null;
  let stopped = false;
  let lastDrawn = {};
  let lastTime = "";
  let map = null;

  function el(tag, className, content) {
    const node = document.createElement(tag);
    if (className) node.className = className;
    if (content !== undefined && content !== null) node.textContent = content;
    return node;
  }

  // Draw a part only when its data changed, so a rolling list is not restarted by an unchanged refresh.
  function changed(name, value) {
    const key = JSON.stringify(value === undefined ? null : value);
    if (lastDrawn[name] === key) return false;
    lastDrawn[name] = key;
    return true;
  }

  // A tile's number and unit shrink until they fit the tile (a province's 总投资 is wider than a district's).
  function fit(node) {
    node.style.fontSize = "";
    let size = parseFloat(getComputedStyle(node).fontSize);
    const floor = size * 0.45;
    while (node.scrollWidth > node.clientWidth + 1 && size > floor) {
      size *= 0.93;
      node.style.fontSize = size + "px";
    }
  }

  function drawTiles(tiles) {
    const holder = document.getElementById("screen-tiles");
    holder.replaceChildren();
    tiles.forEach(function (tile) {
      const node = el("div", "tile" + (tile.tone ? " is-" + tile.tone : ""));
      node.dataset.key = tile.key;
      node.appendChild(el("div", "tile-label", tile.label));
      const value = el("div", "tile-value");
      value.appendChild(el("span", "num", tile.value));
      if (tile.value !== "—") value.appendChild(el("span", "unit", tile.unit));
      node.appendChild(value);
      node.appendChild(el("div", "tile-note", tile.note || "\u00a0"));
      holder.appendChild(node);
    });
    holder.querySelectorAll(".tile-value").forEach(fit);
  }

  // Rows that do not fit roll upwards for ever: the rows twice over, moved by half their height.
  function roll(scroller) {
    const track = scroller.querySelector(".track");
    track.classList.remove("is-rolling");
    track.querySelectorAll("[data-copy]").forEach(function (n) { n.remove(); });
    if (track.scrollHeight <= scroller.clientHeight + 1 || reducedMotion.matches) return;  // scrolled by hand then
    const rows = Array.from(track.children);
    rows.forEach(function (row) {
      const copy = row.cloneNode(true);
      copy.dataset.copy = "1";
      copy.setAttribute("aria-hidden", "true");
      track.appendChild(copy);
    });
    track.style.setProperty("--roll-seconds", Math.max(20, rows.length * SECONDS_PER_ROW) + "s");
    track.classList.add("is-rolling");
  }

  function drawBreakdown(breakdown) {
    const rows = breakdown.rows;
    if (map === null) document.getElementById("screen-map-title").textContent = breakdown.title;
    const scroller = document.getElementById("screen-districts");
    const track = scroller.querySelector(".track");
    track.replaceChildren();
    if (!rows.length) {
      track.appendChild(el("li", "empty", text.textEmpty));
      return;
    }
    const sorted = rows.slice().sort(function (a, b) {
      return (b.plan_rate === null ? -1e9 : Number(b.plan_rate)) - (a.plan_rate === null ? -1e9 : Number(a.plan_rate));
    });
    const top = Math.max(100, ...sorted.map(function (r) { return Number(r.plan_rate) || 0; }));
    sorted.forEach(function (row) {
      const li = el("li", row.tone ? "is-" + row.tone : "");
      li.dataset.key = row.key;
      li.appendChild(el("span", "name", row.name));
      const bar = el("span", "bar");
      const fill = el("span");
      fill.style.width = Math.max(0, Math.min(100, (Number(row.plan_rate) || 0) * 100 / top)) + "%";
      bar.appendChild(fill);
      li.appendChild(bar);
      li.appendChild(el("span", "rate", row.plan_rate_text));
      const gap = row.deviation_points === null ? "" : (Number(row.deviation_points) > 0 ? "+" : "") + row.deviation_points;
      const gapNode = el("span", "gap", gap);
      gapNode.title = row.deviation_text || "";
      li.appendChild(gapNode);
      track.appendChild(li);
    });
    roll(scroller);
  }

  function boardColumn(kind, title, lines, points) {
    const col = el("div", "board-col " + kind);
    col.appendChild(el("h3", null, title));
    const list = el("ol");
    if (!lines.length) list.appendChild(el("li", "empty", text.textEmpty));
    lines.forEach(function (line) {
      const li = el("li");
      li.appendChild(el("span", "rank", line.rank_text));
      li.appendChild(el("span", "who", line.name));
      li.appendChild(el("span", "score", line.total + points + (line.movement ? " " + line.movement : "") + (line.note ? " " + line.note : "")));
      list.appendChild(li);
    });
    col.appendChild(list);
    return col;
  }

  function drawBoard(board) {
    const scroller = document.getElementById("screen-board");
    const track = scroller.querySelector(".track");
    track.replaceChildren();
    if (!board) {
      track.appendChild(el("div", "empty", text.textNoBoard));
      return;
    }
    const head = el("div", "board-head");
    head.appendChild(el("div", null, board.scheme));
    head.appendChild(el("div", null, [board.period, board.number].filter(Boolean).join(" · ")));
    track.appendChild(head);
    board.series.forEach(function (series) {
      const part = el("div", "board-part");
      if (series.name) part.appendChild(el("div", "board-series", series.name));
      part.appendChild(boardColumn("red", board.labels.red, series.red, board.points));
      part.appendChild(boardColumn("black", board.labels.black, series.black, board.points));
      track.appendChild(part);
    });
    roll(scroller);
  }

  function drawLights(lights) {
    const holder = document.getElementById("screen-lights");
    holder.replaceChildren();
    ["red", "yellow", "green"].forEach(function (kind) {
      const node = el("div", "light " + kind);
      node.appendChild(el("span", "count", String(lights[kind])));
      node.appendChild(el("span", "label", lights.labels[kind]));
      holder.appendChild(node);
    });
  }

  function drawList(id, list) {
    const panel = document.getElementById(id);
    panel.querySelector(".list-title").textContent = list.title;
    panel.querySelector(".list-count").textContent = list.total_text;
    const scroller = panel.querySelector(".scroller");
    const track = scroller.querySelector(".track");
    track.replaceChildren();
    if (!list.rows.length) {
      track.appendChild(el("li", "empty", text.textEmpty));
      return;
    }
    list.rows.forEach(function (row) {
      const li = el("li");
      const first = el("div", "line1");
      if (row.tag) first.appendChild(el("span", "tag " + row.kind, row.tag));
      first.appendChild(el("span", "name", row.name));
      if (row.place) first.appendChild(el("span", "place", row.place));
      if (row.days_text) first.appendChild(el("span", "days", row.days_text));
      li.appendChild(first);
      if (row.text) li.appendChild(el("div", "line2", row.text));
      track.appendChild(li);
    });
    roll(scroller);
  }

  function mountMap(payload) {
    if (!payload || !window.TuijinMap || typeof window.TuijinMap.mount !== "function") return;
    if (map !== null) {
      if (typeof map.draw === "function") map.draw(payload);
      return;
    }
    const holder = document.getElementById("screen-map");
    holder.hidden = false;
    document.getElementById("screen-districts").hidden = true;
    document.getElementById("screen-map-title").textContent = text.textMap;
    // The screen's own refresh carries the map's data (data.map); type grows with the root size (rem).
    const rootSize = parseFloat(getComputedStyle(document.documentElement).fontSize) || 16;
    map = window.TuijinMap.mount(holder, { data: payload, dark: true, fontScale: rootSize / 10, onDistrict: null }) || {};
  }

  function draw(data) {
    document.getElementById("screen-title").textContent = data.title;
    document.title = data.title;
    document.getElementById("screen-as-of").textContent = data.as_of;
    setStatus(data.generated_text, "");
    lastTime = data.generated_text;
    if (changed("tiles", data.headline)) drawTiles(data.headline);
    if (changed("breakdown", data.breakdown)) drawBreakdown(data.breakdown);
    if (changed("board", data.board)) drawBoard(data.board);
    if (changed("lights", data.lights)) drawLights(data.lights);
    if (changed("red", data.red)) drawList("screen-red", data.red);
    if (changed("overdue", data.overdue)) drawList("screen-overdue", data.overdue);
    if (changed("map", data.map)) mountMap(data.map);
  }

  function setStatus(words, state) {
    const status = document.getElementById("screen-status");
    status.textContent = words;
    status.className = state ? "is-" + state : "";
  }

  // The token no longer opens the screen (revoked, expired): its message covers the screen for good.
  function refuse(message) {
    stopped = true;
    clearTimeout(timer);
    const overlay = document.getElementById("screen-overlay");
    overlay.querySelector("p").textContent = message;
    overlay.hidden = false;
  }

  function schedule(seconds) {
    clearTimeout(timer);
    if (!stopped) timer = setTimeout(refresh, seconds * 1000);
  }

  function failed() {
    setStatus(text.textFailed + (lastTime ? "（" + text.textLast + " " + lastTime + "）" : ""), "failed");
    schedule(RETRY_SECONDS);
  }

  function refresh() {
    return fetch(root.dataset.url, { credentials: "same-origin", headers: { Accept: "application/json" }, cache: "no-store" })
      .then(function (response) {
        const json = (response.headers.get("Content-Type") || "").indexOf("application/json") === 0;
        if (!json) {
          // A signed-in screen whose session ended is sent to the login page: say so, never show it.
          if (response.redirected || response.ok) {
            stopped = true;
            setStatus(text.textSignedOut, "signed-out");
            return null;
          }
          failed();
          return null;
        }
        return response.json().then(function (body) {
          if (response.status === 404 || response.status === 410) {
            refuse(body.message);
          } else if (!response.ok) {
            failed();
          } else {
            draw(body);
            schedule(refreshSeconds);
          }
          return body;
        });
      })
      .catch(function () { failed(); return null; });
  }

  function tick() {
    const clock = document.getElementById("screen-clock");
    clock.textContent = new Intl.DateTimeFormat(document.documentElement.lang || "zh-CN", {
      year: "numeric", month: "long", day: "numeric", weekday: "long", hour: "2-digit", minute: "2-digit", hour12: false,
    }).format(new Date());
  }

  let resizeTimer = null;
  window.addEventListener("resize", function () {
    clearTimeout(resizeTimer);
    resizeTimer = setTimeout(function () {
      document.querySelectorAll(".tile-value").forEach(fit);
      document.querySelectorAll(".scroller").forEach(roll);
    }, 200);
  });

  draw(JSON.parse(source.textContent));
  schedule(refreshSeconds);
  tick();
  setInterval(tick, 15000);
  // For the browser tests and the office's own checks: ask for the data now.
  window.TuijinScreen = { refresh: refresh };
})();
