// Review page: focusing a field lights its box on the scan and scrolls the scan to it; Ctrl+Enter approves.
(function () {
  "use strict";
  var form = document.getElementById("review-form");
  if (!form) return;
  var active = [];

  function clear() {
    active.forEach(function (el) { el.classList.remove("active"); });
    active = [];
  }

  function show(input) {
    clear();
    var row = input.closest(".station-field");
    if (row) { row.classList.add("active"); active.push(row); }
    var boxId = input.getAttribute("data-box");
    var box = boxId ? document.getElementById(boxId) : null;
    if (!box) return;
    box.classList.add("active");
    active.push(box);
    var scan = box.closest(".station-scan");
    if (scan) {
      // Centre the box in the scan panel without moving the page (the form keeps its place).
      var boxRect = box.getBoundingClientRect(), scanRect = scan.getBoundingClientRect();
      var target = scan.scrollTop + (boxRect.top - scanRect.top) - scan.clientHeight / 2 + boxRect.height / 2;
      scan.scrollTo({ top: Math.max(0, target), behavior: "smooth" });
    }
  }

  form.querySelectorAll("input[name^='f_']").forEach(function (input) {
    input.addEventListener("focus", function () { show(input); });
  });

  document.addEventListener("keydown", function (event) {
    if (event.key === "Enter" && (event.ctrlKey || event.metaKey)) {
      var approve = document.getElementById("approve");
      if (approve) {
        event.preventDefault();
        form.requestSubmit(approve);
      }
    }
  });

  // Start where the work is: the first field with an issue, else the first empty required one, else the first.
  var first = form.querySelector(".station-field.has-issue input") ||
    form.querySelector("input[name^='f_'][value='']") || form.querySelector("input[name^='f_']");
  if (first && !first.readOnly) first.focus({ preventScroll: true });
})();
