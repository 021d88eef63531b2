// The demo article's share bar: 주소복사 copies the page address.
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
    var done = function () { show("주소가 복사되었습니다."); };
    var failed = function () {
      show(fallbackCopy(url) ? "주소가 복사되었습니다." : "주소를 복사하지 못했습니다.");
    };
    if (navigator.clipboard && window.isSecureContext) {
      navigator.clipboard.writeText(url).then(done, failed);
    } else {
      failed();
    }
  });
})();
