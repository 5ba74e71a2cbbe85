// Customer list: "select all" for bulk reassignment (no inline handlers: the CSP forbids them).
document.addEventListener("DOMContentLoaded", () => {
  const all = document.getElementById("select-all");
  if (!all) return;
  all.addEventListener("change", () => {
    document.querySelectorAll(".row-select").forEach((box) => { box.checked = all.checked; });
  });
});
