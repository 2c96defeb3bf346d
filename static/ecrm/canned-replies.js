// A ticket's admin page: choosing a canned reply fills the message box, so the agent can edit it before posting.
// Without JavaScript the chosen reply is posted when the message is left empty (ecrm/admin_forms.py).
(function () {
  "use strict";
  var data = document.getElementById("canned-replies-data");
  var select = document.getElementById("id_comment-canned_reply");
  var body = document.getElementById("id_comment-body");
  if (!data || !select || !body) {
    return;
  }
  var replies = JSON.parse(data.textContent);
  var filled = "";
  select.addEventListener("change", function () {
    var text = replies[select.value];
    // Never overwrite what the agent typed: only an empty box, or one holding the previous canned reply.
    if (text !== undefined && (body.value.trim() === "" || body.value === filled)) {
      body.value = text;
      filled = text;
    }
  });
})();
