// The moderation queue's keyboard: j/k move, a approves, r rejects with the model's top
// category, 1-6 reject with a reason, x selects, u undoes, ? shows the keys. While cards are
// selected, a, r and 1-6 act on the selection instead (r with the reason chosen in the bulk
// form) and Escape clears it. Every action is a plain form the page also offers without
// script; this only presses its buttons.
(function () {
  "use strict";

  var cards = Array.prototype.slice.call(document.querySelectorAll(".mq-card"));
  var help = document.getElementById("mq-help");
  var helpButton = document.getElementById("mq-help-button");
  var state = document.getElementById("mq-state");
  var storageKey = "mq-current:" + location.pathname + location.search;
  var current = -1;

  function select(index) {
    if (!cards.length) return;
    index = Math.max(0, Math.min(index, cards.length - 1));
    if (current >= 0 && cards[current]) cards[current].classList.remove("is-current");
    current = index;
    var card = cards[current];
    card.classList.add("is-current");
    card.focus({ preventScroll: true });
    card.scrollIntoView({ block: "nearest" });
    try { sessionStorage.setItem(storageKey, String(current)); } catch (e) { /* private mode */ }
  }

  function press(selector) {
    var card = cards[current];
    var button = card && card.querySelector(selector);
    if (button) button.click();
  }

  function toggleSelected() {
    var card = cards[current];
    if (!card) return;
    var box = card.querySelector(".mq-check");
    box.checked = !box.checked;
    card.classList.toggle("is-selected", box.checked);
  }

  function selection() {
    return document.querySelectorAll(".mq-check:checked");
  }

  function clearSelection() {
    Array.prototype.forEach.call(selection(), function (box) {
      box.checked = false;
      box.closest(".mq-card").classList.remove("is-selected");
    });
  }

  // a, r and 1-6 on the selection: the bulk form's buttons, with the reason set first.
  function bulk(key) {
    var form = document.getElementById("mq-bulk");
    var reasons = form.querySelector(".mq-bulk-reason");
    if (key === "a") { form.querySelector(".mq-bulk-approve").click(); return true; }
    if (key >= "1" && key <= "6") {
      var option = reasons.options[parseInt(key, 10) - 1];
      if (!option) return false;
      reasons.value = option.value;
    } else if (key !== "r") {
      return false;
    }
    form.querySelector(".mq-bulk-reject").click();
    return true;
  }

  function showHelp() {
    if (help.open) help.close(); else help.showModal();
  }

  cards.forEach(function (card, index) {
    card.addEventListener("click", function () { if (current !== index) select(index); });
    var box = card.querySelector(".mq-check");
    box.addEventListener("change", function () { card.classList.toggle("is-selected", box.checked); });
  });

  if (helpButton) {
    helpButton.hidden = false;
    helpButton.addEventListener("click", showHelp);
  }

  document.addEventListener("keydown", function (event) {
    if (event.ctrlKey || event.metaKey || event.altKey) return;
    var target = event.target;
    if (target && /^(INPUT|TEXTAREA|SELECT)$/.test(target.tagName) && target.type !== "checkbox") return;
    var key = event.key;
    if (key === "?") { showHelp(); event.preventDefault(); return; }
    if (help && help.open) return;
    if (key === "u") { document.querySelector("#mq-undo button").click(); return; }
    if (!cards.length) return;
    if (key === "Escape" && selection().length) { clearSelection(); event.preventDefault(); return; }
    if (selection().length && bulk(key)) { event.preventDefault(); return; }
    if (key === "j") select(current + 1);
    else if (key === "k") select(current - 1);
    else if (current < 0) return;
    else if (key === "a") press(".mq-approve");
    else if (key === "r") press(".mq-reject-" + cards[current].dataset.topCategory);
    else if (key >= "1" && key <= "6") press('.mq-reject button[data-key="' + key + '"]');
    else if (key === "x") toggleSelected();
    else return;
    event.preventDefault();
  });

  // After an action the page reloads: stay where the moderator was.
  var saved = null;
  try { saved = sessionStorage.getItem(storageKey); } catch (e) { /* private mode */ }
  if (cards.length) select(saved === null ? 0 : parseInt(saved, 10) || 0);

  // A notice, not a reload, when new comments arrive: the moderator's place is kept.
  if (state) {
    var newest = parseInt(state.dataset.newest, 10) || 0;
    var seconds = parseInt(state.dataset.poll, 10) || 0;
    var notice = document.getElementById("mq-notice");
    var poll = function () {
      fetch(state.dataset.countsUrl, { credentials: "same-origin", headers: { "Accept": "application/json" } })
        .then(function (response) {
          // The login ran out: reloading takes the moderator to the login page, told why.
          if (response.status === 401) { location.reload(); return null; }
          return response.ok ? response.json() : null;
        })
        .then(function (data) {
          if (!data) return;
          Object.keys(data.counts).forEach(function (name) {
            var badge = document.querySelector('.mq-count[data-queue="' + name + '"]');
            if (badge) badge.textContent = data.counts[name];
          });
          if (data.newest_id > newest) notice.hidden = false;
        })
        .catch(function () { /* offline: try again next time */ });
    };
    if (seconds > 0) setInterval(poll, seconds * 1000);
  }
})();
