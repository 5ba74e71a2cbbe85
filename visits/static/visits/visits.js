// The proposal form posts to the chosen checklist point's address.
(function () {
  "use strict";
  var select = document.getElementById("propose-question");
  if (!select) { return; }
  var form = select.closest("form");
  var template = select.getAttribute("data-action-template");
  function update() { form.action = template.replace("999", select.value); }
  select.addEventListener("change", update);
  update();
})();
