// What a news site adds to an article page:
//   <script src="https://comments.example/embed.js" data-article-key="2026-11-24-0042" async></script>
// It puts the comment section in an iframe right after the tag and keeps the iframe as
// tall as its content. Optional: data-article-title, data-article-url, data-target (a CSS
// selector of the element to fill instead), data-lang (ko or en; else the language of the
// host page's <html lang> when we have it, else the reader's browser decides).
(function () {
  "use strict";
  var script = document.currentScript;
  if (!script) return;
  var key = script.getAttribute("data-article-key");
  if (!key) return;
  var base = new URL(script.src, window.location.href).origin;
  var params = new URLSearchParams({
    title: script.getAttribute("data-article-title") || document.title,
    url: script.getAttribute("data-article-url") || window.location.href.split("#")[0]
  });
  // The iframe's title in each interface language, written in by the server.
  var LANGUAGES = /* languages */ { "default": "", "titles": {} };
  // The comment section speaks the article's language unless told otherwise.
  var pageLang = (document.documentElement.lang || "").split("-")[0].toLowerCase();
  var lang = script.getAttribute("data-lang") || pageLang;
  if (LANGUAGES.titles[lang]) params.set("lang", lang);
  else lang = (navigator.language || "").split("-")[0];

  var frame = document.createElement("iframe");
  frame.src = base + "/embed/" + encodeURIComponent(key) + "?" + params.toString();
  frame.title = LANGUAGES.titles[lang] || LANGUAGES.titles[LANGUAGES["default"]] || "";
  frame.setAttribute("scrolling", "no");
  frame.style.cssText = "display:block;width:100%;min-height:360px;border:0;overflow:hidden";

  var target = script.getAttribute("data-target");
  var host = target ? document.querySelector(target) : null;
  if (host) host.appendChild(frame);
  else script.parentNode.insertBefore(frame, script.nextSibling);

  window.addEventListener("message", function (event) {
    if (event.origin !== base || event.source !== frame.contentWindow) return;
    var data = event.data || {};
    if (data.type === "comment-mod:height" && typeof data.height === "number") {
      frame.style.height = Math.ceil(data.height) + "px";
    }
  });
})();
