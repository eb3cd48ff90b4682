// Forms with data-confirm="…" ask before they submit (closing a period, taking a project out, chasing
// every unit): the Content-Security-Policy allows no inline handlers, so this one listener does it.
document.addEventListener("submit", (event) => {
  const form = event.target;
  const question = form.dataset ? form.dataset.confirm : null;
  if (question && !window.confirm(question)) {
    event.preventDefault();
  }
}, true);

// A checkbox with data-check-all="<selector>" ticks or clears every box the selector finds.
document.addEventListener("change", (event) => {
  const box = event.target;
  if (!box.dataset || !box.dataset.checkAll) return;
  document.querySelectorAll(box.dataset.checkAll).forEach((other) => { other.checked = box.checked; });
});
