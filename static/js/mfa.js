// MFA set-up: show only the field for the chosen method (Email or SMS). Without this file both show.
(function () {
  "use strict";
  document.addEventListener("DOMContentLoaded", function () {
    var form = document.querySelector("[data-mfa-method-form]");
    if (!form) return;
    var radios = form.querySelectorAll('input[type="radio"][name="method"]');
    var panels = form.querySelectorAll("[data-mfa-method]");
    function update() {
      var checked = form.querySelector('input[type="radio"][name="method"]:checked');
      panels.forEach(function (panel) {
        panel.hidden = !checked || panel.getAttribute("data-mfa-method") !== checked.value;
      });
    }
    radios.forEach(function (radio) { radio.addEventListener("change", update); });
    update();
  });
})();
