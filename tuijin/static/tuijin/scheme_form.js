// The scheme editor: show only the settings of each indicator's chosen scoring method (the others stay
// in the form, empty, and the server reads only the chosen method's settings).
(function () {
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
