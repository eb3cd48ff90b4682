/* 落地地图: one city's districts coloured by a figure, its projects as points coloured by their light.
 *
 *   var map = TuijinMap.mount(element, {dataUrl: "/dashboards/map/data/?…", data: payload, dark: false,
 *                                       fontScale: 1, onDistrict: function (district) {…}});
 *   map.refresh();   // reads dataUrl again and redraws (the big screen calls it on its timer)
 *   map.dispose();
 *
 * The payload is what /dashboards/map/data/ answers (tuijin/dashboards/selectors/map.py, MapData.as_json):
 * {city, geo, figure, districts: [{code, name, level, value, text, values, ledger, points, centre}],
 *  points: [{id, name, lng, lat, light, …, url}], labels, lights, …}. `data` draws at once without a
 * request; without it the payload is fetched from dataUrl. The district boundaries (geo: a static
 * GeoJSON bundled at install, features keyed by the districts' codes) are fetched once per city. A
 * district without a boundary (a development zone, the city's own 本级 projects) is a ◆ at the middle of
 * its projects. Clicking a district calls onDistrict(district) — by default it opens district.ledger,
 * the ledger filtered to its projects. Needs ECharts (vendor/echarts/echarts.min.js) loaded first; no
 * tiles, no internet. Every word shown comes from the payload's labels (the page's language). */
(function () {
  "use strict";

  var LIGHT_COLORS = {red: "#dc3545", yellow: "#f0ad00", green: "#198754"};
  var SCALES = {
    good_high: ["#d73027", "#fc8d59", "#fee08b", "#91cf60", "#1a9850"],
    diverging: ["#d73027", "#fc8d59", "#fee08b", "#91cf60", "#1a9850"],
    bad_high: ["#fff5f0", "#fcbba1", "#fb6a4a", "#cb181d", "#67000d"],
    neutral: ["#eff3ff", "#bdd7e7", "#6baed6", "#3182bd", "#08519c"]
  };
  var geoCache = {};  // geo URL → promise of {name, ids: {code: feature name}}

  function escapeHtml(text) {
    return String(text === null || text === undefined ? "" : text).replace(/[&<>"']/g, function (c) {
      return {"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;"}[c];
    });
  }

  function getJSON(url) {
    return fetch(url, {credentials: "same-origin", headers: {"Accept": "application/json"}}).then(function (r) {
      return r.json().then(function (body) {
        if (!r.ok) { throw new Error(body && body.error ? body.error : String(r.status)); }
        return body;
      });
    });
  }

  function loadGeo(payload) {
    if (!payload.geo) { return Promise.resolve(null); }
    if (!geoCache[payload.geo]) {
      geoCache[payload.geo] = getJSON(payload.geo).then(function (geoJSON) {
        var ids = {}, centres = {};
        (geoJSON.features || []).forEach(function (f) {
          if (f.id !== undefined && f.properties) {
            ids[String(f.id)] = f.properties.name;
            if (f.properties.cp) { centres[String(f.id)] = f.properties.cp; }
          }
        });
        var name = "tuijin-" + payload.city.code;
        echarts.registerMap(name, geoJSON);
        return {name: name, ids: ids, centres: centres};
      });
    }
    return geoCache[payload.geo];
  }

  function range(payload, districts) {
    var values = districts.map(function (d) { return d.value; }).filter(function (v) { return v !== null; });
    var top = values.length ? Math.max.apply(null, values) : 0;
    var scale = payload.figure.scale;
    if (scale === "good_high") {
      // Rates: the districts' own spread (in steps of 5), so that close rates still differ in colour.
      if (!values.length) { return [0, 100]; }
      var low = Math.floor(Math.min.apply(null, values) / 5) * 5, high = Math.ceil(top / 5) * 5;
      return low === high ? [Math.max(0, low - 5), high + 5] : [low, high];
    }
    if (scale === "diverging") {
      var spread = values.length ? Math.max.apply(null, values.map(Math.abs)) : 0;
      spread = Math.max(5, Math.ceil(spread));
      return [-spread, spread];
    }
    return [0, Math.max(1, Math.ceil(top))];
  }

  function districtTooltip(d, payload) {
    var L = payload.labels, v = d.values || {};
    var lines = ["<strong>" + escapeHtml(d.name) + "</strong>",
      escapeHtml(payload.figure.label) + "：<strong>" + escapeHtml(d.text) + "</strong>"];
    ["projects", "plan_rate", "deviation_points", "red_projects"].forEach(function (key) {
      if (key !== payload.figure.key && v[key]) {
        lines.push(escapeHtml(v[key].label) + "：" + escapeHtml(v[key].text));
      }
    });
    lines.push(escapeHtml(L.points) + "：" + d.points);
    if (d.level === "zone" || d.level === "self") { lines.push('<span class="text-muted">' + escapeHtml(L.no_boundary) + "</span>"); }
    if (d.ledger) { lines.push('<span class="text-muted">' + escapeHtml(L.ledger) + "</span>"); }
    return lines.join("<br>");
  }

  function pointTooltip(p, payload) {
    var L = payload.labels;
    var lines = ['<div class="map-card"><strong>' + escapeHtml(p.name) + "</strong>",
      '<span style="color:' + LIGHT_COLORS[p.light] + '">●</span> ' + escapeHtml(p.light_text) +
        (p.reason ? "：" + escapeHtml(p.reason) : "")];
    if (p.owner) { lines.push(escapeHtml(L.owner) + "：" + escapeHtml(p.owner)); }
    if (p.lead_unit) { lines.push(escapeHtml(L.lead_unit) + "：" + escapeHtml(p.lead_unit)); }
    lines.push(escapeHtml(L.total) + "：" + escapeHtml(p.total) + " " + escapeHtml(L.money_unit) + "，" +
      escapeHtml(L.plan) + "：" + escapeHtml(p.plan) + " " + escapeHtml(L.money_unit));
    lines.push(escapeHtml(L.completed) + "：" + escapeHtml(p.completed) + " " + escapeHtml(L.money_unit) +
      "（" + escapeHtml(L.rate) + " " + escapeHtml(p.rate) + "）");
    lines.push('<a href="' + escapeHtml(p.url) + '">' + escapeHtml(L.open) + " →</a></div>");
    return lines.join("<br>");
  }

  function option(payload, geo, dark, scale) {
    var L = payload.labels;
    var size = function (n) { return Math.round(n * scale); };
    var text = dark ? "#e6edf5" : "#333";
    var empty = dark ? "#2b3445" : "#e9ecef";
    var border = dark ? "#8fa3bf" : "#fff";
    var areas = [], markers = [], names = [];
    payload.districts.forEach(function (d) {
      if (geo && geo.ids[d.code]) {
        areas.push({name: geo.ids[d.code], value: d.value, district: d});
        var cp = geo.centres[d.code];
        if (cp) { names.push({name: d.name, value: [cp[0], cp[1]], district: d}); }
      } else if (d.centre) {
        markers.push({name: d.name, value: [d.centre[0], d.centre[1], d.value], district: d});
      }
    });
    var lights = ["red", "yellow", "green"];
    var pointSeries = lights.map(function (light) {
      return {
        type: "scatter", name: payload.lights[light], coordinateSystem: geo ? "geo" : "cartesian2d",
        symbolSize: size(7), z: 4, itemStyle: {color: LIGHT_COLORS[light], borderColor: dark ? "#111" : "#fff", borderWidth: 0.8},
        emphasis: {scale: 1.8},
        data: payload.points.filter(function (p) { return p.light === light; }).map(function (p) {
          return {name: p.name, value: [p.lng, p.lat], point: p};
        })
      };
    });
    var markerSeries = {
      type: "scatter", name: "districts-without-boundary", coordinateSystem: geo ? "geo" : "cartesian2d",
      symbol: "diamond", symbolSize: size(16), z: 5, data: markers,
      itemStyle: {borderColor: dark ? "#e6edf5" : "#333", borderWidth: 1},
      label: {show: true, position: "right", formatter: function (p) { return p.data.district.label; },
              color: text, fontSize: size(11), textBorderColor: dark ? "#111" : "#fff", textBorderWidth: 2}
    };
    // The districts' names over the points (the points cluster where a name would sit in the area); silent,
    // so the point or the area under a name is what the mouse finds.
    var nameSeries = {
      type: "scatter", name: "district-names", coordinateSystem: "geo", symbolSize: 1, z: 8, data: names, silent: true,
      itemStyle: {color: "rgba(0,0,0,0)"}, emphasis: {disabled: true},
      label: {show: true, position: "inside", formatter: function (p) { return p.data.district.label; },
              color: text, fontSize: size(12), fontWeight: "bold", backgroundColor: dark ? "rgba(17,24,39,0.65)" : "rgba(255,255,255,0.75)",
              padding: [1, 3], borderRadius: 3}
    };
    var bounds = range(payload, payload.districts);
    var result = {
      backgroundColor: "transparent",
      animation: false,
      textStyle: {fontFamily: "Noto Sans CJK SC, Source Han Sans SC, Microsoft YaHei, PingFang SC, sans-serif"},
      tooltip: {trigger: "item", enterable: true, confine: true, triggerOn: "mousemove|click", hideDelay: 400,
                formatter: function (p) {
                  if (p.data && p.data.point) { return pointTooltip(p.data.point, payload); }
                  if (p.data && p.data.district) { return districtTooltip(p.data.district, payload); }
                  return escapeHtml(p.name) + "：" + escapeHtml(L.no_value);
                }},
      legend: {data: lights.map(function (l) { return payload.lights[l]; }), bottom: 6, right: 10, orient: "horizontal",
               textStyle: {color: text, fontSize: size(12)}, itemWidth: size(10), itemHeight: size(10)},
      visualMap: {type: "continuous", min: bounds[0], max: bounds[1], calculable: false, seriesIndex: [0, 1],
                  inRange: {color: SCALES[payload.figure.scale] || SCALES.neutral}, left: 10, bottom: 10,
                  text: [String(bounds[1]) + payload.figure.unit, String(bounds[0]) + payload.figure.unit],
                  textStyle: {color: text, fontSize: size(12)}, itemHeight: size(110)},
      series: []
    };
    if (geo) {
      result.geo = {map: geo.name, roam: true, scaleLimit: {min: 0.8, max: 12}, layoutCenter: ["50%", "50%"],
                    layoutSize: "96%", itemStyle: {areaColor: empty, borderColor: border, borderWidth: 1.2},
                    label: {show: false},
                    emphasis: {label: {show: false}, itemStyle: {areaColor: null, borderColor: dark ? "#fff" : "#333", borderWidth: 2}},
                    select: {disabled: true}};
      result.series.push({type: "map", geoIndex: 0, data: areas, name: payload.figure.label});
    } else {
      // No boundaries: the points on a plain longitude/latitude plane (axes hidden).
      result.grid = {left: 20, right: 20, top: 20, bottom: 50};
      result.xAxis = {type: "value", scale: true, show: false};
      result.yAxis = {type: "value", scale: true, show: false};
      result.series.push({type: "scatter", data: [], coordinateSystem: "cartesian2d"});
    }
    result.series.push(markerSeries);
    result.series = result.series.concat(pointSeries);
    if (geo) { result.series.push(nameSeries); }
    return result;
  }

  function mount(element, options) {
    options = options || {};
    var dark = !!options.dark;
    var scale = options.fontScale || 1;  // the big screen's larger type (1.6 reads from the back of a room)
    var chart = echarts.init(element, dark ? "dark" : null, {renderer: "canvas"});
    var current = null;
    // onDistrict null: districts do nothing when clicked (a meeting room's display has no ledger to open).
    var onDistrict = options.onDistrict !== undefined ? options.onDistrict
      : function (d) { if (d.ledger) { window.location.href = d.ledger; } };

    chart.on("click", function (p) {
      var district = p.data && p.data.district;
      if (district && onDistrict) { onDistrict(district); }
    });

    function message(text) {
      chart.clear();
      chart.setOption({title: {text: text, left: "center", top: "middle", textStyle: {fontSize: 14, fontWeight: "normal",
                                                                                        color: dark ? "#e6edf5" : "#6c757d"}}});
    }

    function draw(payload) {
      if (!payload) { message(""); return Promise.resolve(); }
      current = payload;
      return loadGeo(payload).then(function (geo) {
        chart.clear();
        if (!payload.districts.length && !payload.points.length) { message(payload.labels.empty); return; }
        chart.setOption(option(payload, geo, dark, scale), true);
        element.dataset.ready = "1";
        element.dispatchEvent(new CustomEvent("tuijin:map-drawn", {detail: payload}));
      });
    }

    function refresh() {
      if (!options.dataUrl) { return current ? draw(current) : Promise.resolve(); }
      // A page whose data carries the map as its "map" (the big screen's) may be given as the URL too.
      return getJSON(options.dataUrl).then(function (body) {
        return draw(body && Object.prototype.hasOwnProperty.call(body, "map") ? body.map : body);
      }).catch(function (err) {
        message((current && current.labels.error) || String(err.message || err));
      });
    }

    var resize = function () { chart.resize(); };
    window.addEventListener("resize", resize);
    var first = options.data ? draw(options.data) : refresh();
    if (first && first.catch) {
      first.catch(function (err) { message(String(err.message || err)); });
    }
    return {
      chart: chart,
      refresh: refresh,
      draw: draw,
      resize: resize,
      dispose: function () { window.removeEventListener("resize", resize); chart.dispose(); }
    };
  }

  window.TuijinMap = {mount: mount};
})();
