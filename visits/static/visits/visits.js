// The visit form: more people interviewed without a round trip, and the proposal form posting
// to the chosen checklist point's address.
(function () {
  "use strict";

  var add = document.getElementById("iv-add");
  var empty = document.getElementById("iv-empty");
  var total = document.getElementById("id_iv-TOTAL_FORMS");
  if (add && empty && total) {
    add.addEventListener("click", function () {
      var index = parseInt(total.value, 10);
      var html = empty.innerHTML.replace(/__prefix__/g, String(index));
      document.getElementById("iv-rows-end").insertAdjacentHTML("beforebegin", html);
      total.value = String(index + 1);
    });
  }

  var select = document.getElementById("propose-question");
  if (select) {
    var form = select.closest("form");
    var template = select.getAttribute("data-action-template");
    var update = function () { form.action = template.replace("999", select.value); };
    select.addEventListener("change", update);
    update();
  }
})();
