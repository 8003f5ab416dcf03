// Acolhe console: the little that htmx attributes do not say. No build step.
(function () {
  "use strict";
  // One aria-live region announces live changes (an element with data-announce, swapped in).
  function announce(text) {
    var region = document.getElementById("live-region");
    if (!region || !text) return;
    region.textContent = "";
    window.setTimeout(function () { region.textContent = text; }, 50);
  }
  window.acolheAnnounce = announce;

  document.addEventListener("htmx:afterSwap", function (event) {
    var target = event.detail.target;
    var said = target.querySelector ? target.querySelector("[data-announce]") : null;
    if (said) announce(said.getAttribute("data-announce"));
    // Keep the focus where the person was: an element with the same id after the swap.
    var wanted = document.body.getAttribute("data-focus-id");
    if (wanted) {
      var again = document.getElementById(wanted);
      if (again && document.activeElement !== again) again.focus();
    }
  });
  document.addEventListener("focusin", function (event) {
    if (event.target && event.target.id) document.body.setAttribute("data-focus-id", event.target.id);
  });
  // The tab title carries the inbox's count: "(3) Caixa de entrada · Acolhe".
  document.addEventListener("htmx:afterSwap", function () {
    var counter = document.querySelector("[data-title-count]");
    if (!counter) return;
    var base = document.title.replace(/^\(\d+\)\s*/, "");
    var n = parseInt(counter.getAttribute("data-title-count"), 10) || 0;
    document.title = n > 0 ? "(" + n + ") " + base : base;
  });
})();
