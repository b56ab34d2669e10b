(function () {
  "use strict";
  // Binds to its own report only, so several reports (or notebook cells) can share a page.
  var script = document.currentScript;
  var root = script && script.closest(".claimscope");
  if (!root) { return; }
  root.addEventListener("click", function (event) {
    // A contradiction's side leads to the other side.
    var side = event.target.closest("[data-cx-other]");
    if (side && root.contains(side)) {
      var other = root.querySelector('[id="' + CSS.escape(side.getAttribute("data-cx-other")) + '"]');
      if (other) {
        other.scrollIntoView({ behavior: "smooth", block: "center" });
        other.classList.remove("cx-flash");
        void other.offsetWidth;  // restart the animation
        other.classList.add("cx-flash");
      }
      return;
    }
    var button = event.target.closest("[data-ent-toggle]");
    if (!button || !root.contains(button)) { return; }
    var doc = button.closest(".cs-doc");
    var key = button.getAttribute("data-ent-toggle");
    var on = !button.classList.contains("on");
    button.classList.toggle("on", on);
    doc.querySelectorAll("[data-ent]").forEach(function (mark) {
      if (mark.getAttribute("data-ent") === key) { mark.classList.toggle("hl", on); }
    });
  });
  root.addEventListener("change", function (event) {
    var input = event.target;
    if (input.hasAttribute("data-marks-toggle")) {
      root.classList.toggle("cs-nomarks", !input.checked);
    }
    if (input.hasAttribute("data-tq-toggle")) {
      var key = input.getAttribute("data-tq-toggle");
      input.closest(".cs-doc").querySelectorAll("[data-tq]").forEach(function (mark) {
        if (mark.getAttribute("data-tq") === key) { mark.classList.toggle("off", !input.checked); }
      });
    }
  });
})();
