// The "Print" button of a printable document (templates/assistance/print_*.html); without JavaScript the
// browser's own Print command does the same.
document.addEventListener("DOMContentLoaded", () => {
  document.querySelectorAll("button[data-print]").forEach((button) => {
    button.hidden = false;
    button.addEventListener("click", () => window.print());
  });
});
