// When the menu bar does not fit on one line (a long Chinese or English menu on a laptop), the
// entries at its end move into a "More" drop-down, last first, until it fits; they come back
// when the window grows. Below the md breakpoint the bar is the collapsed phone menu: all
// entries stay in the list.
(function () {
  "use strict";
  var list = document.getElementById("main-menu");
  var more = document.getElementById("main-menu-more");
  if (!list || !more) { return; }
  var moreList = more.querySelector(".dropdown-menu");
  var wide = window.matchMedia("(min-width: 768px)");

  function oneLine() {
    var items = list.querySelectorAll(":scope > li:not(.d-none)");
    if (!items.length) { return true; }
    var top = items[0].offsetTop;
    return Array.prototype.every.call(items, function (item) { return item.offsetTop === top; });
  }

  function restore() {
    moreList.querySelectorAll(":scope > li[data-moved]").forEach(function (item) {
      var entry = item.firstElementChild;
      entry.className = "nav-link";
      item.className = "nav-item";
      item.removeAttribute("data-moved");
      list.insertBefore(item, more);
    });
    more.classList.add("d-none");
  }

  function fit() {
    restore();
    if (!wide.matches) { return; }
    more.classList.remove("d-none");
    var movable = Array.prototype.slice.call(
      list.querySelectorAll(":scope > li.nav-item:not(.dropdown):not(.menu-home)"));
    while (!oneLine() && movable.length) {
      var item = movable.pop();
      item.firstElementChild.className = "dropdown-item";
      item.className = "";
      item.setAttribute("data-moved", "");
      moreList.insertBefore(item, moreList.firstChild);
    }
    if (!moreList.querySelector("li[data-moved]")) { more.classList.add("d-none"); }
  }

  var pending = null;
  window.addEventListener("resize", function () {
    if (pending) { window.cancelAnimationFrame(pending); }
    pending = window.requestAnimationFrame(fit);
  });
  fit();
})();
