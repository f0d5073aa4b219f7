// Small progressive enhancements; every page works without this file (and without inline scripts).
document.addEventListener("DOMContentLoaded", () => {
  // Put the cursor on the first field that has an error, so the caseworker sees what to fix.
  const firstError = document.querySelector(".field.has-error input, .field.has-error select, .field.has-error textarea");
  if (firstError) firstError.focus();
});
