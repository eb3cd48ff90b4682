/* The 落地地图 page: draws the map from the payload in the page (json_script "map-data") with
 * TuijinMap (district_map.js); choosing another colouring figure reloads the page with it. */
(function () {
  "use strict";
  document.addEventListener("DOMContentLoaded", function () {
    var element = document.getElementById("district-map");
    if (!element || !window.TuijinMap) { return; }
    var source = document.getElementById(element.dataset.source);
    window.tuijinMap = window.TuijinMap.mount(element, {
      data: source ? JSON.parse(source.textContent) : null,
      dataUrl: element.dataset.url
    });
    var figure = document.getElementById("id_figure");
    if (figure && figure.form) {
      figure.addEventListener("change", function () { figure.form.submit(); });
    }
  });
})();
