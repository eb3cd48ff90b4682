/* The project form's small map (落地地图): clicking it writes the point into 经度/纬度 (six places); typing
 * them moves the pin. The map is the chosen region's city (the form's json_script "location-maps":
 * {region id: {geo, city}}: the bundled district boundaries, no tiles, no internet). */
(function () {
  "use strict";

  document.addEventListener("DOMContentLoaded", function () {
    var element = document.getElementById("location-picker");
    if (!element || !window.echarts) { return; }
    var maps = JSON.parse(document.getElementById(element.dataset.maps).textContent);
    var longitude = document.getElementById("id_longitude");
    var latitude = document.getElementById("id_latitude");
    var region = document.getElementById("id_region");
    var clear = document.getElementById("location-clear");
    var chart = echarts.init(element, null, {renderer: "canvas"});
    var registered = {};
    var shown = null;

    function number(input) {
      // Full-width digits and point as typed on a Chinese keyboard count too.
      var text = (input.value || "").replace(/[\uff10-\uff19\uff0e]/g, function (c) {
        return String.fromCharCode(c.charCodeAt(0) - 0xfee0);
      }).trim();
      return /^-?\d+(\.\d+)?$/.test(text) ? parseFloat(text) : null;
    }

    function point() {
      var x = number(longitude), y = number(latitude);
      return x === null || y === null ? [] : [{value: [x, y]}];
    }

    function pin() {
      chart.setOption({series: [{id: "pin", data: point()}]});
    }

    function choice() {
      var key = region && maps[region.value] ? region.value : Object.keys(maps)[0];
      return maps[key];
    }

    function draw() {
      var map = choice();
      if (!map || (shown && shown.city === map.city && shown.region === map.region)) { if (shown) { pin(); } return; }
      var name = "tuijin-" + map.city;
      var ready = registered[name] || fetch(map.geo, {credentials: "same-origin"}).then(function (r) { return r.json(); })
        .then(function (geoJSON) {
          var features = {};
          (geoJSON.features || []).forEach(function (f) { features[String(f.id)] = f.properties || {}; });
          echarts.registerMap(name, geoJSON);
          return features;
        });
      registered[name] = ready;
      ready.then(function (features) {
        shown = map;
        // Centred on the project's point, else on the chosen district (its boundary is keyed by its code).
        var own = features[map.region], at = point();
        var centre = at.length ? at[0].value : (own && own.cp) || null;
        chart.setOption({
          animation: false,
          geo: {map: name, roam: true, scaleLimit: {min: 0.8, max: 40}, layoutCenter: ["50%", "50%"], layoutSize: "95%",
                center: centre || undefined, zoom: centre ? 3 : 1,
                regions: own ? [{name: own.name, itemStyle: {areaColor: "#dbe8fb"}}] : [],
                label: {show: true, fontSize: 10, color: "#555"}, itemStyle: {areaColor: "#eef2f7", borderColor: "#99a"},
                emphasis: {label: {show: true}, itemStyle: {areaColor: "#dce7f7"}}, select: {disabled: true}},
          series: [{id: "pin", type: "scatter", coordinateSystem: "geo", symbol: "pin", symbolSize: 30,
                    itemStyle: {color: "#dc3545"}, data: point(), z: 5}]
        }, true);
      });
    }

    chart.getZr().on("click", function (event) {
      if (!shown) { return; }
      var at = [event.offsetX, event.offsetY];
      if (!chart.containPixel({geoIndex: 0}, at)) { return; }
      var found = chart.convertFromPixel({geoIndex: 0}, at);
      if (!found) { return; }
      longitude.value = found[0].toFixed(6);
      latitude.value = found[1].toFixed(6);
      [longitude, latitude].forEach(function (input) { input.dispatchEvent(new Event("change", {bubbles: true})); });
      pin();
    });
    [longitude, latitude].forEach(function (input) { input.addEventListener("input", pin); });
    if (region) { region.addEventListener("change", draw); }
    if (clear) {
      clear.addEventListener("click", function () { longitude.value = ""; latitude.value = ""; pin(); });
    }
    window.addEventListener("resize", function () { chart.resize(); });
    draw();
  });
})();
