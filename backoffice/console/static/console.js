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

  // Who holds a conversation is said once when it changes, not each time the block refreshes.
  var holderBefore = null;
  document.addEventListener("htmx:beforeSwap", function (event) {
    var line = event.detail.target.querySelector && event.detail.target.querySelector(".holder-line");
    holderBefore = line ? line.getAttribute("data-holder-id") : null;
  });

  document.addEventListener("htmx:afterSwap", function (event) {
    var target = event.detail.target;
    var said = target.querySelector ? target.querySelector("[data-announce]") : null;
    if (said) announce(said.getAttribute("data-announce"));
    var line = target.querySelector ? target.querySelector(".holder-line") : null;
    if (line && holderBefore !== null && line.getAttribute("data-holder-id") !== holderBefore) {
      announce(line.textContent.trim());
    }
    // Keep the focus where the person was: an element with the same id after the swap.
    var wanted = document.body.getAttribute("data-focus-id");
    if (wanted) {
      var again = document.getElementById(wanted);
      if (again && document.activeElement !== again &&
          (document.activeElement === document.body || !document.activeElement)) again.focus();
    }
  });
  document.addEventListener("focusin", function (event) {
    if (event.target && event.target.id) document.body.setAttribute("data-focus-id", event.target.id);
  });
  // Escape leaves an inline edit form as its Cancel does (the Edit control gets the focus back).
  document.addEventListener("keydown", function (event) {
    if (event.key !== "Escape" || !event.target.closest) return;
    var form = event.target.closest("form[data-editing]");
    var cancel = form ? form.querySelector("a[id^='cancel-']") : null;
    if (cancel) { event.preventDefault(); cancel.click(); }
  });
  // The tab title carries the inbox's count: "(3) Caixa de entrada · Acolhe".
  document.addEventListener("htmx:afterSwap", function () {
    var counter = document.querySelector("[data-title-count]");
    if (!counter) return;
    var base = document.title.replace(/^\(\d+\)\s*/, "");
    var n = parseInt(counter.getAttribute("data-title-count"), 10) || 0;
    document.title = n > 0 ? "(" + n + ") " + base : base;
  });

  // The session ended while the page was open: sign in again and come back to this page
  // (not to the fragment the request asked for). Drafts are kept (below).
  document.addEventListener("htmx:beforeOnLoad", function (event) {
    if (event.detail.xhr && event.detail.xhr.status === 401) {
      event.preventDefault();
      window.location.href = "/console/login?next=" +
        encodeURIComponent(window.location.pathname + window.location.search);
    }
  });
  // A request htmx does not swap (a refusal, a server error, the network): say so, where the
  // person is, instead of nothing happening.
  function requestFailed(event) {
    var elt = event.detail.elt;
    var status = event.detail.xhr ? event.detail.xhr.status : 0;
    if (status === 401) return;
    var text = document.body.getAttribute(status === 0 ? "data-offline" : "data-failed");
    var form = elt && elt.closest ? (elt.closest("form") || elt) : null;
    if (form && form.parentNode && !(form.previousElementSibling && form.previousElementSibling.classList.contains("request-error"))) {
      var p = document.createElement("p");
      p.className = "error request-error";
      p.setAttribute("role", "alert");
      p.textContent = text;
      form.parentNode.insertBefore(p, form);
    } else {
      announce(text);
    }
  }
  document.addEventListener("htmx:responseError", requestFailed);
  document.addEventListener("htmx:sendError", requestFailed);
  document.addEventListener("htmx:afterRequest", function (event) {
    if (!event.detail.successful) return;
    var form = event.detail.elt && event.detail.elt.closest ? event.detail.elt.closest("form") : null;
    var before = form && form.previousElementSibling;
    if (before && before.classList.contains("request-error")) before.remove();
  });

  // Drafts: what a person types in a text box is kept in this tab until the form is sent,
  // so an expired session, a refused form or a reload loses nothing.
  function draftKey(box) {
    var form = box.form;
    return "acolhe-draft:" + (form ? form.getAttribute("action") : window.location.pathname) + ":" + (box.id || box.name);
  }
  var restoredBox = null;  // a draft given back on this page: where the person goes on
  function restoreDrafts(root) {
    var boxes = (root || document).querySelectorAll ? (root || document).querySelectorAll("textarea[name]") : [];
    Array.prototype.forEach.call(boxes, function (box) {
      var saved = window.sessionStorage.getItem(draftKey(box));
      if (saved && !box.value) { box.value = saved; restoredBox = restoredBox || box; }
    });
  }
  document.addEventListener("input", function (event) {
    var box = event.target;
    if (box && box.tagName === "TEXTAREA" && box.name) {
      if (box.value) window.sessionStorage.setItem(draftKey(box), box.value);
      else window.sessionStorage.removeItem(draftKey(box));
    }
  });
  // Sent: forget the draft once the answer is in (a plain post leaves the page; htmx says so).
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (form.hasAttribute("hx-post") || form.hasAttribute("hx-get")) return;
    Array.prototype.forEach.call(form.querySelectorAll("textarea[name]"), function (box) {
      window.sessionStorage.setItem("acolhe-sent:" + draftKey(box), box.value);
    });
  });
  document.addEventListener("htmx:afterRequest", function (event) {
    var form = event.detail.elt && event.detail.elt.closest ? event.detail.elt.closest("form") : null;
    if (!form || !event.detail.successful) return;
    Array.prototype.forEach.call(form.querySelectorAll("textarea[name]"), function (box) {
      window.sessionStorage.removeItem(draftKey(box));
    });
  });
  document.addEventListener("htmx:afterSwap", function (event) { restoreDrafts(event.detail.target); });

  // After a plain form's answer (a redirect to "#composer", "#notes"...), put the focus in
  // the section it names: its text box, else its first control, else the section itself.
  function focusFragment() {
    var id = window.location.hash.slice(1);
    var section = id ? document.getElementById(id) : null;
    if (!section) return;
    var inside = section.querySelector("textarea, input:not([type=hidden]), select, button");
    var target = inside || section;
    if (target === section && !section.hasAttribute("tabindex")) section.setAttribute("tabindex", "-1");
    target.focus();
  }

  document.addEventListener("DOMContentLoaded", function () {
    // A page answering a sent form: the drafts whose text was sent are done with, unless the
    // form came back with the text (a refusal keeps it in the box).
    Object.keys(window.sessionStorage).forEach(function (key) {
      if (key.indexOf("acolhe-sent:") !== 0) return;
      var draft = key.slice("acolhe-sent:".length);
      var sent = window.sessionStorage.getItem(key);
      window.sessionStorage.removeItem(key);
      if (document.querySelector("[role=alert]")) return;
      if (window.sessionStorage.getItem(draft) === sent) window.sessionStorage.removeItem(draft);
    });
    restoreDrafts(document);
  });
  // After the browser's own move to the fragment, which focuses the page when the named
  // element cannot take the focus itself.
  window.addEventListener("load", function () {
    window.setTimeout(function () {
      if (window.location.hash) focusFragment();
      else if (restoredBox && document.activeElement === document.body) restoredBox.focus();
    }, 0);
  });
})();
