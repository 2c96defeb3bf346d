// Passkeys (WebAuthn) on the MFA pages. A form marked data-passkey-form="create" (set up) or "get"
// (verify) asks data-passkey-options-url for a challenge, has the browser create or use a passkey, and
// posts the browser's answer in the hidden "credential" field. If the browser refuses (cancelled, timed
// out, no passkey), "browser_error" carries the error's name instead; either way the page that comes
// back shows the outcome, and any error at the top and next to the button, like every other form.
// A browser without WebAuthn sees the form's message instead and keeps the other methods.
// No configuration is read from inline script: only data attributes (the CSP allows no inline script).
(function () {
  "use strict";

  function supported() {
    return Boolean(window.isSecureContext && window.PublicKeyCredential && navigator.credentials);
  }

  // WebAuthn speaks ArrayBuffers; the server (py_webauthn) speaks base64url without padding.
  function toBytes(base64url) {
    var base64 = base64url.replace(/-/g, "+").replace(/_/g, "/");
    var binary = atob(base64 + "===".slice((base64.length + 3) % 4));
    var bytes = new Uint8Array(binary.length);
    for (var i = 0; i < binary.length; i += 1) bytes[i] = binary.charCodeAt(i);
    return bytes.buffer;
  }

  function toBase64url(buffer) {
    var bytes = new Uint8Array(buffer);
    var binary = "";
    for (var i = 0; i < bytes.length; i += 1) binary += String.fromCharCode(bytes[i]);
    return btoa(binary).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
  }

  function withIds(descriptors) {
    return (descriptors || []).map(function (descriptor) {
      return Object.assign({}, descriptor, { id: toBytes(descriptor.id) });
    });
  }

  function creationOptions(options) {
    return Object.assign({}, options, {
      challenge: toBytes(options.challenge),
      user: Object.assign({}, options.user, { id: toBytes(options.user.id) }),
      excludeCredentials: withIds(options.excludeCredentials),
    });
  }

  function requestOptions(options) {
    return Object.assign({}, options, {
      challenge: toBytes(options.challenge),
      allowCredentials: withIds(options.allowCredentials),
    });
  }

  // The browser's credential as the JSON that py_webauthn parses (WebAuthn Level 3's toJSON() shape).
  function answer(credential) {
    var response = credential.response;
    var json = {
      id: credential.id,
      rawId: toBase64url(credential.rawId),
      type: credential.type,
      clientExtensionResults: credential.getClientExtensionResults(),
      response: { clientDataJSON: toBase64url(response.clientDataJSON) },
    };
    if (credential.authenticatorAttachment) json.authenticatorAttachment = credential.authenticatorAttachment;
    if (response.attestationObject) {
      json.response.attestationObject = toBase64url(response.attestationObject);
      json.response.transports = response.getTransports ? response.getTransports() : [];
    } else {
      json.response.authenticatorData = toBase64url(response.authenticatorData);
      json.response.signature = toBase64url(response.signature);
      if (response.userHandle) json.response.userHandle = toBase64url(response.userHandle);
    }
    return json;
  }

  function fetchOptions(form) {
    return fetch(form.getAttribute("data-passkey-options-url"), {
      method: "POST",
      credentials: "same-origin",
      headers: { "X-CSRFToken": form.elements.csrfmiddlewaretoken.value, Accept: "application/json" },
    }).then(function (response) {
      if (!response.ok) {
        var error = new Error("The server refused to start the passkey ceremony.");
        error.name = "OptionsError";
        throw error;
      }
      return response.json();
    });
  }

  function ceremony(form, event) {
    event.preventDefault();
    var button = form.querySelector("[data-passkey-button]");
    var status = form.querySelector("[data-passkey-status]");
    if (button.getAttribute("aria-disabled") === "true") return;
    // aria-disabled rather than disabled: the button keeps focus while the browser's prompt is open.
    button.setAttribute("aria-disabled", "true");
    status.textContent = "Follow your browser's instructions.";
    form.elements.credential.value = "";
    form.elements.browser_error.value = "";
    var create = form.getAttribute("data-passkey-form") === "create";
    fetchOptions(form)
      .then(function (options) {
        return create
          ? navigator.credentials.create({ publicKey: creationOptions(options) })
          : navigator.credentials.get({ publicKey: requestOptions(options) });
      })
      .then(function (credential) {
        form.elements.credential.value = JSON.stringify(answer(credential));
      })
      .catch(function (error) {
        form.elements.browser_error.value = (error && error.name) || "Error";
      })
      .then(function () {
        status.textContent = create ? "Setting up your passkey." : "Checking your passkey.";
        form.submit();
      });
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("form[data-passkey-form]").forEach(function (form) {
      var usable = supported();
      form.querySelector("[data-passkey-supported]").hidden = !usable;
      form.querySelector("[data-passkey-unsupported]").hidden = usable;
      if (usable) {
        form.addEventListener("submit", function (event) { ceremony(form, event); });
      }
    });
  });
})();
