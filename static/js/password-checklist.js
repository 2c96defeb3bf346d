// Seed 000's "Strength" checklist: ticks each rule as the password is typed. The server checks the
// same rules (accounts/password_validation.py); this is only help while typing.
(function () {
  "use strict";

  function hasRepeat(text, maxRepeat) {
    var run = 1;
    for (var i = 1; i < text.length; i++) {
      run = text[i] === text[i - 1] ? run + 1 : 1;
      if (run > maxRepeat) return true;
    }
    return false;
  }

  function kind(ch) {
    if (/[0-9]/.test(ch)) return "digit";
    if (/[a-z]/.test(ch)) return "letter";
    return "";
  }

  function hasSequence(text, maxSequence) {
    var lower = text.toLowerCase(), run = 1, direction = 0;
    for (var i = 1; i < lower.length; i++) {
      var a = lower[i - 1], b = lower[i];
      var step = kind(a) && kind(a) === kind(b) ? b.charCodeAt(0) - a.charCodeAt(0) : 0;
      if ((step === 1 || step === -1) && (run === 1 || step === direction)) {
        run += 1; direction = step;
      } else if (step === 1 || step === -1) {
        run = 2; direction = step;
      } else {
        run = 1; direction = 0;
      }
      if (run > maxSequence) return true;
    }
    return false;
  }

  function evaluate(box, value) {
    var special = box.dataset.special;
    return {
      min_length: value.length >= Number(box.dataset.min),
      max_length: value.length > 0 && value.length <= Number(box.dataset.max),
      lowercase: /[a-z]/.test(value),
      uppercase: /[A-Z]/.test(value),
      digit: /[0-9]/.test(value),
      special: value.split("").some(function (ch) { return special.indexOf(ch) !== -1; }),
      repeat: value.length > 0 && !hasRepeat(value, Number(box.dataset.maxRepeat)),
      sequence: value.length > 0 && !hasSequence(value, Number(box.dataset.maxSequence)),
    };
  }

  function update(box, input) {
    var results = evaluate(box, input.value), met = 0, live = 0;
    box.querySelectorAll("li[data-rule]").forEach(function (item) {
      var rule = item.dataset.rule;
      if (!(rule in results)) return;  // user data is checked by the server only
      var ok = results[rule];
      item.dataset.met = ok ? "true" : "false";
      item.querySelector(".password-checklist__state").textContent = ok ? "Met:" : "Not met:";
      live += 1;
      if (ok) met += 1;
    });
    box.querySelector("[data-summary]").textContent = met + " of " + live + " password requirements met";
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("[data-password-checklist]").forEach(function (box) {
      var input = document.getElementById(box.dataset.for);
      if (!input) return;
      input.setAttribute("aria-describedby", ((input.getAttribute("aria-describedby") || "") + " " + box.id).trim());
      input.addEventListener("input", function () { update(box, input); });
      if (input.value) update(box, input);
    });
  });
})();
