// Print buttons ([data-print]) on printable pages such as the supervision order: CSP allows no inline handlers.
document.querySelectorAll("[data-print]").forEach((button) => button.addEventListener("click", () => window.print()));
