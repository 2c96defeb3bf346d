// Case build (issue 10, item 10): leaving a step with unsaved changes asks first. Progressive enhancement:
// without this file Back and the other links leave the page as before.
// Markup: <form data-warn-unsaved>. Each marked form's values are recorded when the page loads; if one
// differs when the page is about to be left, the browser shows its own "Leave site?" prompt. Submitting a
// form (Continue, Lookup, Select, Finish Later) never asks: the server keeps or checks what was sent.
// An automatic navigation that must not be held (the idle timeout ends the session: the page shows PHI)
// sets window.portalLeaving = true first (session-timeout.js does).
(function () {
  "use strict";

  var forms = [];
  var initial = [];
  var submitting = false;

  function state(form) {
    var values = [];
    Array.prototype.forEach.call(form.elements, function (element) {
      var type = element.type;
      if (!element.name || type === "submit" || type === "button" || type === "reset" || type === "image") return;
      if (type === "checkbox" || type === "radio") {
        values.push([element.name, element.value, element.checked]);
      } else if (element.tagName === "SELECT") {
        Array.prototype.forEach.call(element.options, function (option) {
          values.push([element.name, option.value, option.selected]);
        });
      } else {
        values.push([element.name, element.value]);
      }
    });
    return JSON.stringify(values);
  }

  function changed() {
    return forms.some(function (form, index) { return state(form) !== initial[index]; });
  }

  document.addEventListener("DOMContentLoaded", function () {
    forms = Array.prototype.slice.call(document.querySelectorAll("form[data-warn-unsaved]"));
    initial = forms.map(state);
  });

  // Listened to on window, after the page's own submit handlers: a submit they cancel leaves the page open.
  window.addEventListener("submit", function (event) {
    if (!event.defaultPrevented) submitting = true;
  });

  // Back from the browser's cache after a submit: what the form shows was sent, and the page is open again.
  window.addEventListener("pageshow", function (event) {
    if (!event.persisted || !submitting) return;
    submitting = false;
    initial = forms.map(state);
  });

  window.addEventListener("beforeunload", function (event) {
    if (submitting || window.portalLeaving || !forms.length || !changed()) return;
    event.preventDefault();
    event.returnValue = true; // Chrome before 119, Safari
  });
})();
