// Small progressive enhancements; every page works without this file (and without inline scripts).
document.addEventListener("DOMContentLoaded", () => {
  // Put the cursor on the first field that has an error, so the caseworker sees what to fix.
  const firstError = document.querySelector(".field.has-error input, .field.has-error select, .field.has-error textarea");
  if (firstError) firstError.focus();
});

// "Add a row" on a Django formset: clone the empty form kept in a <template>, numbered after the last row.
// Without JavaScript the button stays hidden and the blank rows the page already has are enough.
document.addEventListener("DOMContentLoaded", () => {
  document.querySelectorAll("button[data-add-row]").forEach((button) => {
    const template = document.getElementById(button.dataset.addRow);
    const rows = document.getElementById(button.dataset.rows);
    const total = document.getElementById(button.dataset.total);
    if (!template || !rows || !total) return;
    button.hidden = false;
    button.addEventListener("click", () => {
      const index = Number(total.value);
      const html = template.innerHTML.replace(/__prefix__/g, String(index)).replace(/__number__/g, String(index + 1));
      rows.insertAdjacentHTML("beforeend", html);
      total.value = String(index + 1);
      const first = rows.lastElementChild && rows.lastElementChild.querySelector("input, select");
      if (first) first.focus();
    });
  });
});

// A page showing a job that is still working (data-refresh-seconds) reloads itself until the job is done.
document.addEventListener("DOMContentLoaded", () => {
  const working = document.querySelector("[data-refresh-seconds]");
  if (!working) return;
  const seconds = Number(working.dataset.refreshSeconds) || 5;
  window.setTimeout(() => window.location.reload(), seconds * 1000);
});
