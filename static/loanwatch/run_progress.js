// A file run's page (the loan feed, the customer import): poll the run's counters until it is
// over, then reload the page to show the result (no inline script: the CSP forbids it).
document.addEventListener("DOMContentLoaded", () => {
  const box = document.querySelector("[data-run-progress]");
  if (!box) return;
  const bar = box.querySelector("[data-bar]");
  const holder = box.querySelector("[role=progressbar]");
  // The width is set here: the CSP refuses style attributes in the page.
  bar.style.width = `${holder.getAttribute("aria-valuenow")}%`;
  if (box.dataset.done === "1") return;
  const poll = () => {
    fetch(box.dataset.url, { headers: { Accept: "application/json" }, credentials: "same-origin" })
      .then((response) => (response.ok ? response.json() : Promise.reject(response.status)))
      .then((data) => {
        bar.style.width = `${data.percent}%`;
        holder.setAttribute("aria-valuenow", data.percent);
        box.querySelectorAll("[data-field]").forEach((node) => {
          node.textContent = data[node.dataset.field];
        });
        if (data.done) {
          window.location.reload();
        } else {
          window.setTimeout(poll, 1000);
        }
      })
      .catch(() => window.setTimeout(poll, 5000));
  };
  window.setTimeout(poll, 500);
});
