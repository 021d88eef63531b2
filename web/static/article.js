// The demo article's share bar: the copy button copies the page address. Its notices are
// the toast's data-copied and data-failed (the demo news site's own text, in its template).
(function () {
  "use strict";
  var button = document.querySelector(".share-copy");
  var toast = document.querySelector(".share-toast");
  if (!button) return;

  function show(text) {
    toast.textContent = text;
    toast.hidden = false;
    window.clearTimeout(show.timer);
    show.timer = window.setTimeout(function () { toast.hidden = true; }, 2000);
  }

  function fallbackCopy(text) {
    var field = document.createElement("textarea");
    field.value = text;
    field.setAttribute("readonly", "");
    field.style.position = "fixed";
    field.style.opacity = "0";
    document.body.appendChild(field);
    field.select();
    var done = false;
    try { done = document.execCommand("copy"); } catch (error) { done = false; }
    field.remove();
    return done;
  }

  button.addEventListener("click", function () {
    var url = button.dataset.copyUrl || window.location.href;
    var done = function () { show(toast.dataset.copied); };
    var failed = function () {
      show(fallbackCopy(url) ? toast.dataset.copied : toast.dataset.failed);
    };
    if (navigator.clipboard && window.isSecureContext) {
      navigator.clipboard.writeText(url).then(done, failed);
    } else {
      failed();
    }
  });
})();
