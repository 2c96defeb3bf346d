// ECRM request form (seed 000), progressively enhanced: the form works without this file.
// - "*Multiple": the health plans' checkboxes show only when *Multiple is the chosen carrier.
// - Subrequest: only the chosen request type's subrequests are offered (the server checks the pair anyway).
// - Insurance Carrier: a search box narrows the carriers' list.
// - Description: a toolbar wraps the selected text in the HTML the server keeps (bold, italic, lists, link, code).
(function () {
  "use strict";
  var form = document.querySelector("[data-ecrm-request]");
  if (!form) { return; }

  var carrier = form.querySelector("select[name='carrier']");
  var plans = form.querySelector("[data-multiple-plans]");
  function showPlans() {
    if (plans && carrier) { plans.hidden = carrier.value !== "multiple"; }
  }
  if (carrier) {
    carrier.addEventListener("change", showPlans);
    showPlans();
    var search = document.createElement("input");
    search.type = "search";
    search.id = "carrier-search";
    search.className = "ecrm-carrier-search";
    search.setAttribute("aria-controls", carrier.id);
    var searchLabel = document.createElement("label");
    searchLabel.className = "label";
    searchLabel.htmlFor = search.id;
    searchLabel.textContent = "Search carriers";
    // Above the carrier's own label: search first, then choose.
    var group = carrier.closest(".form-group") || carrier.parentNode;
    group.insertBefore(search, group.firstChild);
    group.insertBefore(searchLabel, search);
    search.addEventListener("input", function () {
      var term = search.value.trim().toLowerCase();
      Array.prototype.forEach.call(carrier.options, function (option) {
        var keep = !term || option.value === "" || option.value === carrier.value ||
          option.text.toLowerCase().indexOf(term) !== -1;
        option.hidden = !keep;
      });
    });
  }

  var requestType = form.querySelector("select[name='request_type']");
  var subrequest = form.querySelector("select[name='subrequest']");
  function filterSubrequests() {
    if (!requestType || !subrequest) { return; }
    var offered = 0;
    Array.prototype.forEach.call(subrequest.options, function (option) {
      if (!option.value) { return; }
      var match = option.getAttribute("data-request-type") === requestType.value;
      option.hidden = !match;
      option.disabled = !match;
      if (match) { offered += 1; }
      if (!match && option.selected) { subrequest.value = ""; }
    });
    var group = subrequest.closest(".ecrm-field");
    if (group) { group.hidden = offered === 0; }
  }
  if (requestType && subrequest) {
    // Without this script every subrequest shows as "Request type > Subrequest"; filtered, its name is enough.
    Array.prototype.forEach.call(subrequest.options, function (option) {
      var cut = option.text.indexOf(" > ");
      if (option.value && cut !== -1) { option.text = option.text.slice(cut + 3); }
    });
    requestType.addEventListener("change", filterSubrequests);
    filterSubrequests();
  }

  var textarea = form.querySelector("textarea[data-rich-text]");
  if (textarea) {
    var tools = [
      ["B", "Bold", "<b>", "</b>"],
      ["I", "Italic", "<i>", "</i>"],
      ["\u2022", "Bulleted list", "<ul>\n<li>", "</li>\n</ul>"],
      ["1.", "Numbered list", "<ol>\n<li>", "</li>\n</ol>"],
      ["Link", "Link", "<a href=\"https://\">", "</a>"],
      ["</>", "Code", "<code>", "</code>"]
    ];
    var bar = document.createElement("div");
    bar.className = "ecrm-toolbar";
    bar.setAttribute("role", "toolbar");
    bar.setAttribute("aria-label", "Format the description");
    bar.setAttribute("aria-controls", textarea.id);
    tools.forEach(function (tool) {
      var button = document.createElement("button");
      button.type = "button";
      // The symbol is what shows; the name is what a screen reader says (no aria-label that hides the symbol).
      var shown = document.createElement("span");
      shown.setAttribute("aria-hidden", "true");
      shown.textContent = tool[0];
      var name = document.createElement("span");
      name.className = "visually-hidden";
      name.textContent = tool[1];
      button.appendChild(shown);
      button.appendChild(name);
      button.title = tool[1];
      button.addEventListener("click", function () {
        var start = textarea.selectionStart, end = textarea.selectionEnd, text = textarea.value;
        textarea.value = text.slice(0, start) + tool[2] + text.slice(start, end) + tool[3] + text.slice(end);
        textarea.focus();
        textarea.setSelectionRange(start + tool[2].length, end + tool[2].length);
      });
      bar.appendChild(button);
    });
    textarea.parentNode.insertBefore(bar, textarea);
  }
})();
