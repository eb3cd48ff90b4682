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

// A table saved as a whole (form[data-keep-typing="<question>"], its inputs attached by form="…") keeps
// what was typed in it: another form on the page (delete a row, upload a photo, add a row) would reload
// the page and lose that typing, so it asks first, in the words the page gives (translated there).
(function () {
  const dirty = new Set();
  document.addEventListener("input", (event) => {
    const owner = event.target.form;
    if (owner && owner.hasAttribute("data-keep-typing")) dirty.add(owner);
  }, true);
  document.addEventListener("change", (event) => {
    const owner = event.target.form;
    if (owner && owner.hasAttribute("data-keep-typing")) dirty.add(owner);
  }, true);
  document.addEventListener("submit", (event) => {
    const form = event.target;
    if (event.defaultPrevented) return;
    if (dirty.has(form)) { dirty.clear(); return; }
    if (dirty.size && !window.confirm(dirty.values().next().value.dataset.keepTyping)) {
      event.preventDefault();
    }
  });
})();

// A form[data-ticks-first] (the ledger import's confirmation) keeps its submit buttons disabled until every
// required box in it is ticked: a button that looks ready would invite a click the browser then refuses.
// Without this script the boxes' `required` still holds the form back.
(function () {
  function update(form) {
    const ready = Array.from(form.querySelectorAll("input[type=checkbox][required]")).every((box) => box.checked);
    form.querySelectorAll("button[type=submit]").forEach((button) => { button.disabled = !ready; });
  }
  function all() { document.querySelectorAll("form[data-ticks-first]").forEach(update); }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", all); else all();
  window.addEventListener("pageshow", all);  // back to the page: the boxes may come back ticked
  document.addEventListener("change", (event) => {
    const form = event.target.form;
    if (form && form.hasAttribute("data-ticks-first")) update(form);
  });
})();
