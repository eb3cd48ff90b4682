// The job page (/jobs/<id>/): polls the job's JSON until it has finished, then shows the result link or
// the reason it failed (and the retry button). No inline script: the CSP allows only 'self'.
(function () {
  "use strict";
  var box = document.getElementById("job");
  if (!box || box.dataset.finished) return;
  var bar = document.querySelector("#job-progress .progress-bar");
  var delay = 700;

  function show(data) {
    document.getElementById("job-status").textContent = data.status_label;
    document.getElementById("job-status").className = data.status === "failed" ? "text-danger" : data.status === "done" ? "text-success" : "";
    bar.style.width = data.percent + "%";
    bar.textContent = data.percent + "%";
    document.getElementById("job-progress").setAttribute("aria-valuenow", data.percent);
    var counts = data.total && data.status !== "done" ? "（" + data.done + "/" + data.total + "）" : "";
    document.getElementById("job-message").textContent = data.message + counts;
    if (!data.finished) return false;
    bar.classList.remove("progress-bar-striped", "progress-bar-animated");
    bar.classList.add(data.status === "done" ? "bg-success" : "bg-danger");
    document.getElementById("job-hint").classList.add("d-none");
    if (data.status === "done" && data.result_url) {
      var link = document.getElementById("job-result");
      link.href = data.result_url;
      link.classList.remove("d-none");
    }
    if (data.status === "failed") {
      var error = document.getElementById("job-error");
      error.querySelector("span").textContent = data.error;
      error.classList.remove("d-none");
      var retry = document.getElementById("job-retry");
      if (retry) retry.classList.remove("d-none");
    }
    return true;
  }

  function poll() {
    fetch(box.dataset.url, {headers: {"Accept": "application/json"}, credentials: "same-origin"})
      .then(function (r) { if (!r.ok) throw new Error(r.status); return r.json(); })
      .then(function (data) {
        if (!show(data)) { delay = Math.min(delay * 1.3, 5000); setTimeout(poll, delay); }
      })
      .catch(function () { delay = Math.min(delay * 2, 10000); setTimeout(poll, delay); });
  }
  setTimeout(poll, delay);
})();
