// My Worklist: "Start typing to search..." refreshes the list as you type.
// Progressive enhancement: without this file the Search button posts the form and the server redirects
// back to the list (the term is kept in the session, never in the URL: it may be a patient's name).
// With it, the same POST is sent in the background after a pause in typing; the tabs and the results of
// the answer replace the page's own ([data-worklist-part]), so the search box keeps its focus and caret,
// and the count is written into the role="status" region, which screen readers announce.
(function () {
  "use strict";

  var DELAY_MS = 300;

  function setUp(form) {
    var input = form.querySelector('input[name="q"]');
    var status = document.querySelector("[data-worklist-status]");
    if (!input || !status || !window.fetch || !window.DOMParser) return;
    var timer = null;
    var asked = 0; // answers to older requests are dropped: only the latest one is shown
    var last = input.value;

    function refresh() {
      if (input.value === last) return;
      last = input.value;
      var ticket = ++asked;
      var body = new FormData(form);
      body.delete("clear");
      fetch(form.action, { method: "POST", body: body, credentials: "same-origin", redirect: "follow" })
        .then(function (response) {
          if (!response.ok) throw new Error(String(response.status));
          return response.text();
        })
        .then(function (html) {
          if (ticket !== asked) return;
          var fresh = new DOMParser().parseFromString(html, "text/html");
          document.querySelectorAll("[data-worklist-part]").forEach(function (part) {
            var replacement = fresh.getElementById(part.id);
            if (replacement) part.innerHTML = replacement.innerHTML;
          });
          var freshStatus = fresh.querySelector("[data-worklist-status]");
          if (freshStatus) status.textContent = freshStatus.textContent;
        })
        .catch(function () {
          // The Search button still works: nothing to undo.
        });
    }

    input.addEventListener("input", function () {
      window.clearTimeout(timer);
      timer = window.setTimeout(refresh, DELAY_MS);
    });
  }

  document.querySelectorAll("form[data-worklist-search]").forEach(setUp);
})();
