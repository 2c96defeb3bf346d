// Diagnosis lookup as the user types: the WAI-ARIA 1.2 combobox pattern (list autocomplete).
// Progressive enhancement: without this file the Lookup button lists the matches on the server.
// Markup: <div data-diagnosis-lookup="/cases/<id>/diagnoses/" data-input="<input id>" data-which="primary">
// around the lookup box, with an empty aria-live region inside it (present from the first paint, so
// screen readers announce what is written into it later).
(function () {
  "use strict";

  var MIN_CHARS = 2; // as cases.views.DIAGNOSIS_SUGGEST_MIN_CHARS
  var DELAY_MS = 150;

  function setUp(container) {
    var input = document.getElementById(container.getAttribute("data-input"));
    var url = container.getAttribute("data-diagnosis-lookup");
    var which = container.getAttribute("data-which");
    var status = container.querySelector("[aria-live]");
    if (!input || !url || !status) return;

    var listbox = document.createElement("ul");
    listbox.id = which + "-suggestions";
    listbox.className = "combobox__listbox";
    listbox.setAttribute("role", "listbox");
    listbox.setAttribute("aria-label", "Matching " + which + " diagnosis codes");
    listbox.hidden = true;
    input.insertAdjacentElement("afterend", listbox);

    input.setAttribute("role", "combobox");
    input.setAttribute("aria-autocomplete", "list");
    input.setAttribute("aria-expanded", "false");
    input.setAttribute("aria-controls", listbox.id);
    input.setAttribute("autocomplete", "off");

    var options = [];
    var active = -1;
    var timer = null;
    var asked = 0; // answers to older requests are dropped: only the latest one is shown

    function close() {
      listbox.hidden = true;
      input.setAttribute("aria-expanded", "false");
      input.removeAttribute("aria-activedescendant");
      active = -1;
    }

    function activate(index) {
      if (active >= 0) options[active].setAttribute("aria-selected", "false");
      active = index;
      if (index < 0) {
        input.removeAttribute("aria-activedescendant");
        return;
      }
      var option = options[index];
      option.setAttribute("aria-selected", "true");
      input.setAttribute("aria-activedescendant", option.id);
      option.scrollIntoView({ block: "nearest" });
    }

    function choose(index) {
      var option = options[index];
      input.value = option.getAttribute("data-code");
      close();
      status.textContent = option.textContent + " selected";
    }

    function show(matches) {
      listbox.textContent = "";
      options = matches.map(function (match, index) {
        var option = document.createElement("li");
        option.id = which + "-suggestion-" + index;
        option.className = "combobox__option";
        option.setAttribute("role", "option");
        option.setAttribute("aria-selected", "false");
        option.setAttribute("data-code", match.code);
        option.textContent = match.code + " " + match.description;
        option.addEventListener("mousedown", function (event) {
          event.preventDefault(); // keep the focus in the box
        });
        option.addEventListener("click", function () { choose(index); });
        listbox.appendChild(option);
        return option;
      });
      active = -1;
      input.removeAttribute("aria-activedescendant");
      if (options.length) {
        listbox.hidden = false;
        input.setAttribute("aria-expanded", "true");
      } else {
        close();
      }
      var count = matches.length;
      status.textContent = count === 0 ? "No codes found" : count === 1 ? "1 code found" : count + " codes found";
    }

    function suggest() {
      var query = input.value.trim();
      if (query.length < MIN_CHARS) {
        asked += 1;
        close();
        return;
      }
      var ticket = ++asked;
      fetch(url + "?q=" + encodeURIComponent(query), {
        credentials: "same-origin",
        headers: { Accept: "application/json" },
      })
        .then(function (response) {
          if (!response.ok) throw new Error("lookup " + response.status);
          return response.json();
        })
        .then(function (matches) {
          if (ticket === asked && document.activeElement === input) show(matches);
        })
        .catch(function () {
          close(); // the Lookup button still works
        });
    }

    input.addEventListener("input", function () {
      window.clearTimeout(timer);
      timer = window.setTimeout(suggest, DELAY_MS);
    });

    input.addEventListener("keydown", function (event) {
      var open = !listbox.hidden;
      if (event.key === "ArrowDown") {
        if (!open) {
          if (options.length) {
            listbox.hidden = false;
            input.setAttribute("aria-expanded", "true");
          } else {
            return;
          }
        }
        event.preventDefault();
        activate(active + 1 < options.length ? active + 1 : 0);
      } else if (event.key === "ArrowUp") {
        if (!open) return;
        event.preventDefault();
        activate(active > 0 ? active - 1 : options.length - 1);
      } else if (event.key === "Enter") {
        // With an option active, Enter chooses it; otherwise the form is submitted as without JavaScript.
        if (open && active >= 0) {
          event.preventDefault();
          choose(active);
        }
      } else if (event.key === "Escape") {
        if (open) {
          event.preventDefault();
          close();
        }
      }
    });

    input.addEventListener("blur", close);
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("[data-diagnosis-lookup]").forEach(setUp);
  });
})();
