// Warns a minute before the server ends an idle session (ACC-11). The server enforces the limit;
// this only tells the user and lets them stay. Another tab's activity is respected: before warning,
// the page asks the server how much time is really left.
(function () {
  "use strict";
  var body, dialog, countdown, timer, ticker;

  function seconds(name) { return Number(body.dataset[name]); }

  // The session has ended: show the login page. Nothing may hold the page open (it can show PHI), so
  // unsaved-changes.js is told not to ask "Leave site?".
  function leave() {
    window.portalLeaving = true;
    window.location.reload();
  }

  function schedule(remaining) {
    clearTimeout(timer);
    var warnIn = Math.max(remaining - seconds("sessionWarning"), 0);
    timer = setTimeout(check, warnIn * 1000);
  }

  function check() {
    fetch(body.dataset.sessionStatusUrl, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (response) { return response.json(); })
      .then(function (status) {
        if (!status.signed_in) return leave();
        if (status.remaining_seconds > seconds("sessionWarning")) return schedule(status.remaining_seconds);
        warn(status.remaining_seconds);
      })
      .catch(function () { schedule(seconds("sessionWarning")); });
  }

  function warn(remaining) {
    var left = remaining;
    countdown.textContent = left;
    if (!dialog.open) dialog.showModal();
    clearInterval(ticker);
    ticker = setInterval(function () {
      left -= 1;
      countdown.textContent = Math.max(left, 0);
      // A second past the limit the server has ended the session; reloading shows the login page and why.
      if (left < 0) { clearInterval(ticker); leave(); }
    }, 1000);
  }

  function stay() {
    var token = document.querySelector('meta[name="csrf-token"]').content;
    fetch(body.dataset.sessionExtendUrl, { method: "POST", credentials: "same-origin", headers: { "X-CSRFToken": token } })
      .then(function (response) {
        if (!response.ok) throw new Error("extend refused: " + response.status);
        return response.json();
      })
      .then(function (status) {
        clearInterval(ticker);
        dialog.close();
        if (!status.signed_in) return leave();
        schedule(status.remaining_seconds);
      })
      .catch(function () {
        // Refused or unreachable: a stale tab (signed out and in again elsewhere) posts an old CSRF token. Ask
        // the server what is left instead: the other tab's session may have plenty, or this one has ended.
        clearInterval(ticker);
        dialog.close();
        check();
      });
  }

  document.addEventListener("DOMContentLoaded", function () {
    body = document.body;
    dialog = document.getElementById("session-timeout-dialog");
    if (!dialog || !body.dataset.sessionIdle) return;
    countdown = dialog.querySelector("[data-session-countdown]");
    dialog.querySelector("[data-session-stay]").addEventListener("click", stay);
    // Escape would close the dialog without extending: treat it as "Stay signed in".
    dialog.addEventListener("cancel", function (event) { event.preventDefault(); stay(); });
    schedule(seconds("sessionIdle"));
  });
})();
