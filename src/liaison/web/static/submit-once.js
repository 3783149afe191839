// A button marked data-submit-once (e.g. Send) disables itself when its form is
// submitted, so a double click sends once. The server's one-time submit token is
// the guarantee; this is the courtesy. Runs in the capture phase, before htmx.
"use strict";
(function () {
  function release() {
    document.querySelectorAll("button[data-submit-once][data-sending]").forEach(function (button) {
      delete button.dataset.sending;
      button.disabled = false;
      button.removeAttribute("aria-busy");
    });
  }

  document.addEventListener("submit", function (event) {
    var button = event.submitter;
    if (!button || !button.hasAttribute("data-submit-once")) {
      return;
    }
    if (button.dataset.sending === "true") {
      event.preventDefault();
      event.stopImmediatePropagation();
      return;
    }
    button.dataset.sending = "true";
    button.setAttribute("aria-busy", "true");
    // after this event: the button's name and value still go with the form
    window.setTimeout(function () { button.disabled = true; }, 0);
  }, true);

  // htmx answered without leaving the page (the form came back with errors): allow
  // a corrected send. A redirect keeps the button disabled until the page goes.
  document.addEventListener("htmx:afterRequest", function (event) {
    var xhr = event.detail && event.detail.xhr;
    if (!xhr || !xhr.getResponseHeader("HX-Redirect")) {
      release();
    }
  });
  // Back to a page kept in the back/forward cache: its buttons work again.
  window.addEventListener("pageshow", function (event) {
    if (event.persisted) {
      release();
    }
  });
})();
