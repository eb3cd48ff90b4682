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

// A table saved as a whole (form[data-keep-typing], its inputs attached by form="…") keeps what was typed
// in it: another form on the page (delete a row, upload a photo, add a row) would reload the page and
// lose that typing, so it asks first.
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
    if (dirty.size && !window.confirm("表格中还有未保存的修改，继续此操作将丢失这些修改。\n确定继续吗？（选“取消”可先点“保存全部修改”）")) {
      event.preventDefault();
    }
  });
})();
