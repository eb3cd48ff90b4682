// The scheme editor: show only the settings of each indicator's chosen scoring method (the others stay
// in the form, empty, and the server reads only the chosen method's settings); when a 序列's kind of
// subject changes, ask the server for that kind's subjects (the form comes back as typed, unsaved).
(function () {
  const refresh = document.getElementById("series-refresh");
  document.querySelectorAll("#series-rows .series-kind").forEach((select) => {
    select.addEventListener("change", () => {
      if (refresh) refresh.form.requestSubmit(refresh);
    });
  });
  function sync(row) {
    const kind = row.querySelector(".curve-kind").value;
    row.querySelectorAll(".curve-fields [data-for]").forEach((label) => {
      label.hidden = !label.dataset.for.split(" ").includes(kind);
    });
  }
  document.querySelectorAll("#indicator-rows .indicator-row").forEach((row) => {
    sync(row);
    row.querySelector(".curve-kind").addEventListener("change", () => sync(row));
  });
})();
