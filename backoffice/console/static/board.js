// Acolhe console, pipeline board: drag and drop onto the same form as the keyboard control
// ("Mover para…"), refusals shown in place, the focus back on the moved card. No build step.
(function () {
  "use strict";
  var dragged = null;

  function board() { return document.getElementById("board"); }
  function say(text) { if (window.acolheAnnounce) window.acolheAnnounce(text); }
  function movesOf(card) {
    return (card.getAttribute("data-moves") || "").split(" ").filter(Boolean);
  }
  function columnOf(node) { return node && node.closest ? node.closest("section.column") : null; }
  function clearMarks() {
    var marked = document.querySelectorAll(".column.drop-ok, .column.drop-no, .bcard.dragging");
    for (var i = 0; i < marked.length; i++) marked[i].classList.remove("drop-ok", "drop-no", "dragging");
  }

  // ---- drag and drop: the drop opens the card's "Mover para…" form, stage chosen, reason asked.
  document.addEventListener("dragstart", function (event) {
    var card = event.target.closest ? event.target.closest(".bcard[draggable=true]") : null;
    if (!card) return;
    dragged = card;
    card.classList.add("dragging");
    event.dataTransfer.effectAllowed = "move";
    event.dataTransfer.setData("text/plain", card.getAttribute("data-onboarding"));
    var allowed = movesOf(card);
    var columns = document.querySelectorAll("#board section.column");
    for (var i = 0; i < columns.length; i++) {
      var stage = columns[i].getAttribute("data-stage");
      if (stage === card.getAttribute("data-stage")) continue;
      columns[i].classList.add(allowed.indexOf(stage) >= 0 ? "drop-ok" : "drop-no");
    }
  });
  document.addEventListener("dragover", function (event) {
    var column = columnOf(event.target);
    if (!dragged || !column) return;
    if (movesOf(dragged).indexOf(column.getAttribute("data-stage")) >= 0) {
      event.preventDefault();
      event.dataTransfer.dropEffect = "move";
    }
  });
  document.addEventListener("drop", function (event) {
    var column = columnOf(event.target);
    var card = dragged;
    clearMarks();
    dragged = null;
    if (!card || !column) return;
    event.preventDefault();
    var stage = column.getAttribute("data-stage");
    if (stage === card.getAttribute("data-stage")) return;
    var host = board();
    if (movesOf(card).indexOf(stage) < 0) {
      say(host ? host.getAttribute("data-drop-refused") : "");
      return;
    }
    openMover(card, stage, column);
  });
  document.addEventListener("dragend", function () { clearMarks(); dragged = null; });

  function openMover(card, stage, column) {
    var details = card.querySelector("details.mover");
    if (!details) return;
    details.open = true;
    var select = details.querySelector("select[name=to_stage]");
    if (select) select.value = stage;
    var reason = details.querySelector("input[name=reason]");
    var host = board();
    var title = column.querySelector("h2");
    var label = title ? title.firstChild.textContent.trim() : stage;
    var prompt = host ? (host.getAttribute("data-drop-prompt") || "").replace("{stage}", label) : "";
    if (reason) {
      reason.setAttribute("placeholder", prompt);
      reason.focus();
    }
    say(prompt);
  }

  // Escape closes a card's open form and gives the focus back to its summary.
  document.addEventListener("keydown", function (event) {
    if (event.key !== "Escape" || !event.target.closest) return;
    var details = event.target.closest("#board details[open]");
    if (!details) return;
    details.open = false;
    var summary = details.querySelector("summary");
    if (summary) summary.focus();
  });

  // ---- refusals: 403 / 409 / 422 carry the re-rendered board with the message in place; a
  // page without the board (another CSM's onboarding, a missing one) replaces the main area.
  document.addEventListener("htmx:beforeSwap", function (event) {
    var host = board();
    if (!host || event.detail.target !== host) return;
    var status = event.detail.xhr.status;
    if (status !== 403 && status !== 404 && status !== 409 && status !== 422) return;
    event.detail.shouldSwap = true;
    event.detail.isError = false;
    if ((event.detail.xhr.responseText || "").indexOf("data-board=") < 0) {
      event.detail.target = document.getElementById("main");
    }
  });

  // ---- after a swap: the focus on the card that moved (now in its new column).
  document.addEventListener("htmx:afterSwap", function (event) {
    var host = board();
    if (!host || event.detail.target !== host) return;
    pending = false;
    var card = host.querySelector("[data-focus-card]");
    if (!card) return;
    var invalid = card.querySelector("[aria-invalid=true]");
    (invalid || card).focus();
    if (card.scrollIntoView) card.scrollIntoView({ block: "nearest", inline: "nearest" });
  });

  // ---- live refresh: not while someone has a card's form open (their typing would be lost);
  // it happens when they close it.
  var pending = false;
  document.addEventListener("htmx:beforeRequest", function (event) {
    var host = board();
    if (!host || event.detail.elt !== host) return;
    if (host.querySelector("details[open]")) {
      event.preventDefault();
      pending = true;
    }
  });
  document.addEventListener("toggle", function (event) {
    var host = board();
    if (!pending || !host || !host.contains(event.target) || event.target.open) return;
    if (!host.querySelector("details[open]") && window.htmx) window.htmx.trigger(host, "board-refresh");
  }, true);

  // A plain page load that ends on #card-N (a move without htmx): focus that card.
  document.addEventListener("DOMContentLoaded", function () {
    var wanted = window.location.hash && document.getElementById(window.location.hash.slice(1));
    if (wanted && wanted.classList.contains("bcard")) wanted.focus();
  });
})();
