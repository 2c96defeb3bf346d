// Progressive enhancement only: every page works without this file.
(function () {
  "use strict";
  document.documentElement.classList.add("js");

  // Disclosure buttons (menus): aria-expanded toggles the element named by aria-controls.
  function setOpen(button, open) {
    var target = document.getElementById(button.getAttribute("aria-controls"));
    if (!target) return;
    button.setAttribute("aria-expanded", open ? "true" : "false");
    if (target.id === "upx-menu") {
      target.setAttribute("data-collapsed", open ? "false" : "true");
    } else {
      target.hidden = !open;
    }
  }

  document.addEventListener("DOMContentLoaded", function () {
    var toggles = document.querySelectorAll("[data-toggle]");
    toggles.forEach(function (button) {
      if (button.getAttribute("aria-controls") === "upx-menu") setOpen(button, false);
      button.addEventListener("click", function () {
        setOpen(button, button.getAttribute("aria-expanded") !== "true");
      });
    });
    // Escape closes an open menu and returns focus to its button.
    document.addEventListener("keydown", function (event) {
      if (event.key !== "Escape") return;
      toggles.forEach(function (button) {
        if (button.getAttribute("aria-expanded") === "true" && button.getAttribute("aria-controls") !== "upx-menu") {
          setOpen(button, false);
          button.focus();
        }
      });
    });
    // GOV.UK pattern: move focus to the error summary so screen readers announce it.
    var summary = document.querySelector("[data-error-summary]");
    if (summary) {
      summary.focus();
      // An entry moves focus to its field and shows the field's label or legend above it.
      summary.addEventListener("click", function (event) {
        var link = event.target.closest("a[href^='#']");
        if (!link) return;
        var input = document.getElementById(link.getAttribute("href").slice(1));
        if (!input) return;
        event.preventDefault();
        var fieldset = input.closest("fieldset");
        var legend = fieldset && fieldset.querySelector("legend");
        var label = document.querySelector("label[for='" + input.id + "']");
        (legend || label || input).scrollIntoView();
        input.focus({ preventScroll: true });
        if (window.history && window.history.replaceState) window.history.replaceState(null, "", link.hash);
      });
    }
  });
})();
