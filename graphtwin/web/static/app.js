// The flight deck's own script. The pages have no inline scripts or event handlers: the
// Content-Security-Policy allows scripts from this server only. Loaded with `defer`, after htmx.
(function () {
  "use strict";

  function csrfToken() {
    const meta = document.querySelector('meta[name="csrf-token"]');
    return meta ? meta.content : "";
  }

  function flash(message) {
    const region = document.getElementById("flash");
    if (region) {
      region.textContent = message;
    }
  }

  // Sign in from a `#api_key=KEY` fragment (how `make demo` hands a key over): the key is
  // POSTed to /login, never put in a URL the server or its log sees, and leaves the address bar.
  function signInFromFragment() {
    const match = /(?:^#|&)api_key=([^&]+)/.exec(window.location.hash);
    if (!match) {
      return;
    }
    const key = decodeURIComponent(match[1]);
    const here = window.location.pathname + window.location.search;
    window.history.replaceState(null, "", here);
    let form = document.getElementById("login-form");
    if (!form) {
      form = document.createElement("form");
      form.method = "post";
      form.action = "/login";
      form.hidden = true;
      for (const [name, value] of [["next", here], ["api_key", ""]]) {
        const input = document.createElement("input");
        input.type = "hidden";
        input.name = name;
        input.value = value;
        form.append(input);
      }
      document.body.append(form);
    }
    form.elements.api_key.value = key;
    form.submit();
  }

  // htmx sends the session's CSRF token with every request; its refusals are shown, not lost.
  document.body.addEventListener("htmx:configRequest", function (event) {
    event.detail.headers["X-CSRF-Token"] = csrfToken();
  });
  document.body.addEventListener("htmx:responseError", function (event) {
    const xhr = event.detail.xhr;
    if (xhr.status === 401) {
      window.location.assign("/login?next=" + encodeURIComponent(window.location.pathname));
      return;
    }
    flash(xhr.status + ": " + (xhr.responseText || xhr.statusText));
  });
  document.body.addEventListener("htmx:sendError", function () {
    flash("The server could not be reached; nothing was done.");
  });

  signInFromFragment();
  window.addEventListener("hashchange", signInFromFragment); // a new link pasted in this tab
})();
