// Case build: progressive enhancement only, every step works without this file.
// Conditional reveal (GOV.UK pattern): a question that only applies after a given answer is hidden
// until that answer is chosen. Markup: <div data-reveal-when="field-name=value[,value]">.
(function () {
  "use strict";

  function update(container) {
    var rule = container.getAttribute("data-reveal-when").split("=");
    var name = rule[0];
    var values = rule[1].split(",");
    var chosen = document.querySelector('input[name="' + name + '"]:checked');
    var show = chosen !== null && values.indexOf(chosen.value) !== -1;
    container.hidden = !show;
  }

  document.addEventListener("DOMContentLoaded", function () {
    var containers = document.querySelectorAll("[data-reveal-when]");
    containers.forEach(function (container) {
      var name = container.getAttribute("data-reveal-when").split("=")[0];
      document.querySelectorAll('input[name="' + name + '"]').forEach(function (input) {
        input.addEventListener("change", function () { update(container); });
      });
      // Never hide a question that carries an error message.
      if (!container.querySelector(".error-message")) update(container);
    });
  });
})();
