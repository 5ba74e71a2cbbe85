// The visit form: more people interviewed without a round trip, follow-up questions shown
// when they apply, and the proposal form posting to the chosen checklist point's address.
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

  // Follow-up questions (the new address, where the money went) appear when they apply.
  var form = document.getElementById("visit-form");
  if (form) {
    form.querySelectorAll("[data-follows]").forEach(function (block) {
      var name = block.getAttribute("data-follows");
      var wanted = block.getAttribute("data-show-when").split(",");
      var inputs = form.querySelectorAll("input[name='" + name + "']");
      var toggle = function () {
        var chosen = form.querySelector("input[name='" + name + "']:checked");
        var filled = block.querySelector("input, textarea");
        var keep = filled && filled.value !== "";
        block.classList.toggle("d-none", !keep && !(chosen && wanted.indexOf(chosen.value) >= 0));
      };
      inputs.forEach(function (input) { input.addEventListener("change", toggle); });
      toggle();
    });
  }

  var select = document.getElementById("propose-question");
  if (select) {
    var proposal = select.closest("form");
    var template = select.getAttribute("data-action-template");
    var update = function () { proposal.action = template.replace("999", select.value); };
    select.addEventListener("change", update);
    update();
    // "Propose better guidance" beside a question picks that question.
    document.querySelectorAll(".propose-link").forEach(function (link) {
      link.addEventListener("click", function () {
        select.value = link.getAttribute("data-question");
        update();
      });
    });
  }
})();
