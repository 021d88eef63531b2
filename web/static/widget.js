// The comment section's behaviour in the browser: live counter, posting, voting,
// reporting, sorting and paging without reloads. The page works without it for reading.
(function () {
  "use strict";

  var SORT_COOKIE = "cm_sort";
  // How close to the limit the counter starts to be read aloud.
  var NEAR_LIMIT = 10;
  var LANG = document.documentElement.lang || "ko";
  // The server's translations of the strings this script writes (data-messages).
  var MESSAGES = {};
  // The zone the server shows times in (DISPLAY_TIMEZONE), whatever the browser's is.
  var TIME_ZONE = "Asia/Seoul";

  function pluralText(forms, n) {
    var form = forms[new Intl.PluralRules(LANG).select(n)] || forms.other;
    return form.replace("%(num)d", String(n));
  }

  // The catalog's date pattern, in the CLDR letters Babel uses on the server, on the
  // calendar of TIME_ZONE.
  function formatDay(date) {
    var pad = function (n) { return (n < 10 ? "0" : "") + n; };
    var day = {};
    new Intl.DateTimeFormat("en-US", {
      timeZone: TIME_ZONE, year: "numeric", month: "numeric", day: "numeric"
    }).formatToParts(date).forEach(function (part) { day[part.type] = Number(part.value); });
    var fields = {
      yyyy: String(day.year),
      MMM: date.toLocaleString(LANG, { month: "short", timeZone: TIME_ZONE }),
      MM: pad(day.month),
      dd: pad(day.day),
      d: String(day.day)
    };
    return MESSAGES.date_pattern.replace(/yyyy|MMM|MM|dd|d/g, function (token) {
      return fields[token];
    });
  }

  // API answers (error messages) in the page's language, whatever the cookies say.
  function withLang(url) {
    return url + (url.indexOf("?") < 0 ? "?" : "&") + "lang=" + encodeURIComponent(LANG);
  }

  // A line with nothing visible on it: what is_invisible in web/text.py matches.
  var BLANK_LINE = /^[\p{Cf}\p{Cc}\p{Zs}\p{Zl}\p{Zp}\p{Mn}\p{Me}\u115f\u1160\u3164\uffa0\u2800]*$/u;
  // Python's str.strip() characters, which are not quite those of trim().
  var EDGE_SPACE = /[\t-\r\x1c-\x20\x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]/;

  // The text as the server stores it (tidy_body in web/text.py): NFC, line breaks as
  // one newline, blank lines cut to one, whitespace trimmed from both ends.
  function tidy(text) {
    var lines = [];
    text.replace(/\r\n?/g, "\n").normalize("NFC").split("\n").forEach(function (line) {
      if (BLANK_LINE.test(line)) {
        if (lines.length && lines[lines.length - 1] === "") return;
        line = "";
      }
      lines.push(line);
    });
    var joined = lines.join("\n");
    var start = 0;
    var end = joined.length;
    while (start < end && EDGE_SPACE.test(joined[start])) start++;
    while (end > start && EDGE_SPACE.test(joined[end - 1])) end--;
    return joined.slice(start, end);
  }

  // The server counts the same way: code points of the tidied text.
  function characters(text) {
    return Array.from(tidy(text));
  }

  // Grapheme clusters (what a reader sees as one character: 👨‍👩‍👧‍👦, 🇰🇷) where the
  // browser can tell them; code points where it cannot.
  var CLUSTERS = window.Intl && Intl.Segmenter
    ? new Intl.Segmenter(LANG, { granularity: "grapheme" }) : null;

  // Where the cluster holding text[i] ends.
  function clusterEnd(segments, text, i) {
    if (segments) {
      var segment = segments.containing(i);
      return segment.index + segment.segment.length;
    }
    return i + (isHighSurrogate(text.charCodeAt(i)) && i + 1 < text.length ? 2 : 1);
  }

  function isHighSurrogate(code) { return code >= 0xd800 && code < 0xdc00; }
  function isLowSurrogate(code) { return code >= 0xdc00 && code < 0xe000; }

  // The text cut to at most max characters (counted as the server counts them). Only
  // what changed since the last text that fitted (before: a paste, a word typed) is cut,
  // at the end of a whole cluster; the text around it stays. caret: the end of what was
  // inserted, as the browser left it. Returns the text and where the caret goes.
  function fitText(text, before, caret, max) {
    var tail = 0;
    var tailLimit = Math.min(before.length, text.length - caret);
    while (tail < tailLimit &&
           text.charCodeAt(text.length - 1 - tail) === before.charCodeAt(before.length - 1 - tail)) {
      tail++;
    }
    if (tail > 0 && isLowSurrogate(text.charCodeAt(text.length - tail))) tail--;
    var start = 0;
    var startLimit = Math.min(before.length, text.length) - tail;
    while (start < startLimit && text.charCodeAt(start) === before.charCodeAt(start)) start++;
    if (start > 0 && isHighSurrogate(text.charCodeAt(start - 1))) start--;
    var end = text.length - tail;
    var after = text.slice(end);
    if (characters(text.slice(0, start) + after).length > max) {
      start = 0;  // even the text around the change is too long: cut from the start
      end = text.length;
      after = "";
    }
    var segments = CLUSTERS ? CLUSTERS.segment(text) : null;
    var cut = start;
    while (cut < end) {
      var next = Math.min(clusterEnd(segments, text, cut), end);
      if (characters(text.slice(0, next) + after).length > max) break;
      cut = next;
    }
    return { text: text.slice(0, cut) + after, caret: cut };
  }

  function relativeTime(iso, now) {
    var then = new Date(iso);
    var seconds = (now - then) / 1000;
    if (seconds < 60) return MESSAGES.just_now;
    if (seconds < 3600) return pluralText(MESSAGES.minutes_ago, Math.floor(seconds / 60));
    if (seconds < 86400) return pluralText(MESSAGES.hours_ago, Math.floor(seconds / 3600));
    if (seconds < 7 * 86400) return pluralText(MESSAGES.days_ago, Math.floor(seconds / 86400));
    return formatDay(then);
  }

  function callApi(url, method, payload) {
    var options = {
      method: method,
      credentials: "same-origin",
      headers: { "Accept": "application/json" }
    };
    if (payload !== undefined) {
      options.headers["Content-Type"] = "application/json";
      options.body = JSON.stringify(payload);
    }
    return fetch(withLang(url), options).then(function (response) {
      return response.json().catch(function () { return {}; }).then(function (data) {
        var message = data && data.error ? data.error.message : null;
        return { ok: response.ok, status: response.status, data: data,
                 message: message || MESSAGES.network_error };
      });
    }, function () {
      return { ok: false, status: 0, data: {}, message: MESSAGES.network_error };
    });
  }

  function Section(root) {
    this.root = root;
    this.form = root.querySelector(".cm-form");
    this.input = root.querySelector(".cm-input");
    this.list = root.querySelector(".cm-list");
    this.empty = root.querySelector(".cm-empty");
    this.more = root.querySelector(".cm-more");
    this.panel = root.querySelector(".cm-report-panel");
    this.announcer = root.querySelector(".cm-announce");
    this.template = root.querySelector(".cm-template");
    this.max = parseInt(root.dataset.maxLength, 10);
    this.sort = root.dataset.sort;
    this.cursor = root.dataset.nextCursor || null;
    this.fitted = "";  // the last text of the box that was within the limit
    this.counterZone = null;  // "", "near" or "full" once the counter has been drawn
    // Ids of the comments this reader reported, kept across re-renders: those the server
    // marked on the page, those the lists mark, and those reported since.
    this.reported = {};
    var reported = this.reported;
    this.list.querySelectorAll(".cm-item.is-reported").forEach(function (item) {
      reported[item.dataset.id] = true;
    });
    this.bind();
  }

  Section.prototype.bind = function () {
    var self = this;
    if (this.input) {
      this.input.addEventListener("input", function (event) {
        // Cutting the text while a Hangul syllable is being composed breaks the IME.
        self.updateCounter(!event.isComposing);
      });
      this.input.addEventListener("compositionend", function () { self.updateCounter(true); });
      this.updateCounter(true);
      this.form.addEventListener("submit", function (event) {
        event.preventDefault();
        self.post();
      });
    }
    this.root.querySelectorAll(".cm-sort").forEach(function (tab) {
      tab.addEventListener("click", function (event) {
        event.preventDefault();
        self.changeSort(tab.dataset.sort);
      });
    });
    if (this.more) {
      this.more.addEventListener("click", function (event) {
        event.preventDefault();
        self.loadMore();
      });
    }
    this.list.addEventListener("click", function (event) {
      var vote = event.target.closest(".cm-vote");
      if (vote) return self.vote(vote.closest(".cm-item"), vote.dataset.value);
      var report = event.target.closest(".cm-report");
      if (report) return self.openReport(report.closest(".cm-item"));
    });
    this.panel.querySelector(".cm-report-cancel").addEventListener("click", function () {
      self.panel.hidden = true;
      var item = self.list.querySelector('.cm-item[data-id="' + self.panel.dataset.commentId + '"]');
      if (item) item.querySelector(".cm-report").focus();
    });
    this.panel.querySelector(".cm-report-send").addEventListener("click", function () {
      self.sendReport();
    });
    window.setInterval(function () { self.refreshTimes(); }, 60000);
  };

  Section.prototype.updateCounter = function (enforce) {
    var input = this.input;
    var chars = characters(input.value);
    if (enforce && chars.length > this.max) {
      var fitted = fitText(input.value, this.fitted, input.selectionEnd, this.max);
      var focused = document.activeElement === input;
      input.value = fitted.text;
      if (focused) input.setSelectionRange(fitted.caret, fitted.caret);
      chars = characters(fitted.text);
    }
    if (enforce) this.fitted = input.value;
    var counter = this.root.querySelector(".cm-counter");
    counter.querySelector(".cm-len").textContent = chars.length;
    counter.classList.toggle("is-full", chars.length >= this.max);
    this.announceCounter(this.max - chars.length);
  };

  // The counter is said aloud near the limit only: once on the way in, once at the limit,
  // not at every key (nor for the text a page comes back with).
  Section.prototype.announceCounter = function (left) {
    var zone = left <= 0 ? "full" : left <= NEAR_LIMIT ? "near" : "";
    if (this.counterZone !== null && zone !== this.counterZone) {
      if (zone === "full") this.announce(MESSAGES.limit_reached);
      else if (zone === "near" && this.counterZone === "") {
        this.announce(pluralText(MESSAGES.characters_left, left));
      }
    }
    this.counterZone = zone;
  };

  // Words for a screen reader to say when it is free (the section's polite live region).
  Section.prototype.announce = function (text) {
    var region = this.announcer;
    // Emptied first and filled a moment later, so that the same words are heard again.
    region.textContent = "";
    window.clearTimeout(this.announceTimer);
    this.announceTimer = window.setTimeout(function () { region.textContent = text; }, 100);
  };

  // An error in one of the section's message boxes; an empty message hides the box.
  Section.prototype.showError = function (message, selector) {
    var box = this.root.querySelector(selector || ".cm-form .cm-error");
    if (!box) return;
    box.textContent = message || "";
    box.hidden = !message;
  };

  Section.prototype.setTotal = function (count) {
    document.querySelectorAll(".cm-total, .cm-total-mirror").forEach(function (node) {
      node.textContent = count;
    });
  };

  Section.prototype.render = function (comment) {
    var item = this.template.content.firstElementChild.cloneNode(true);
    item.dataset.id = comment.id;
    item.dataset.myVote = comment.my_vote;
    item.querySelector(".cm-nick").textContent = comment.nickname;
    var time = item.querySelector(".cm-time");
    time.setAttribute("datetime", comment.created_at);
    time.textContent = relativeTime(comment.created_at, new Date());
    // textContent, never innerHTML: a comment's markup must stay text.
    item.querySelector(".cm-body").textContent = comment.body;
    if (comment.pending) {
      item.classList.add("is-pending");
      item.querySelector(".cm-pending-note").hidden = false;
      item.querySelector(".cm-actions").hidden = true;
    }
    // The server refuses votes on and reports of one's own comment: the buttons only show
    // the counts, and the note says why to a screen reader.
    var ownNote = item.querySelector(".cm-own-note");
    ownNote.hidden = !comment.mine;
    if (comment.mine) ownNote.id = "cm-own-" + comment.id;
    item.querySelectorAll(".cm-vote, .cm-report").forEach(function (button) {
      button.disabled = comment.mine;
      if (comment.mine) button.setAttribute("aria-describedby", ownNote.id);
    });
    if (comment.reported) this.reported[comment.id] = true;
    if (this.reported[comment.id]) this.markReported(item);
    this.applyVote(item, comment);
    return item;
  };

  Section.prototype.applyVote = function (item, comment) {
    item.dataset.myVote = comment.my_vote;
    var up = item.querySelector(".cm-up");
    var down = item.querySelector(".cm-down");
    up.querySelector(".cm-n").textContent = comment.upvotes;
    down.querySelector(".cm-n").textContent = comment.downvotes;
    up.setAttribute("aria-pressed", String(comment.my_vote === "up"));
    down.setAttribute("aria-pressed", String(comment.my_vote === "down"));
  };

  Section.prototype.post = function () {
    var self = this;
    var submit = this.form.querySelector(".cm-submit");
    var nickInput = this.form.querySelector(".cm-nick-input");
    var payload = { body: this.input.value };
    if (nickInput) payload.nickname = nickInput.value;
    submit.disabled = true;
    this.showError("");
    callApi(this.root.dataset.postUrl, "POST", payload).then(function (result) {
      submit.disabled = false;
      if (!result.ok) {
        self.showError(result.message);
        // Disabling the button dropped the focus: back to the field to mend.
        var code = result.data.error ? result.data.error.code : "";
        (nickInput && /nickname/.test(code) ? nickInput : self.input).focus();
        return;
      }
      self.input.value = "";
      self.updateCounter(true);
      if (nickInput) {
        var field = nickInput.closest(".cm-nick-field");
        var as = document.createElement("p");
        as.className = "cm-as";
        var name = document.createElement("strong");
        name.textContent = nickInput.value.trim();
        var around = MESSAGES.posting_as.split("<strong>%(name)s</strong>");
        as.appendChild(document.createTextNode(around[0]));
        as.appendChild(name);
        as.appendChild(document.createTextNode(around[1] || ""));
        field.replaceWith(as);
      }
      self.list.prepend(self.render(result.data.comment));
      self.empty.hidden = true;
      self.setTotal(result.data.comment_count);
      // The box, empty, for the next comment (the button lost the focus while disabled).
      self.input.focus();
      self.announce(result.data.status === "pending" ? MESSAGES.held : MESSAGES.posted);
    });
  };

  Section.prototype.listUrl = function (sort, cursor) {
    var url = this.root.dataset.listUrl + "?sort=" + encodeURIComponent(sort);
    return cursor ? url + "&cursor=" + encodeURIComponent(cursor) : url;
  };

  Section.prototype.showPage = function (data, append) {
    var self = this;
    if (!append) {
      this.panel.hidden = true;
      this.root.appendChild(this.panel);
      this.list.textContent = "";
    }
    this.showError("", ".cm-more-error");
    var shown = {};
    this.list.querySelectorAll(".cm-item").forEach(function (item) {
      shown[item.dataset.id] = true;
    });
    (data.own_pending || []).concat(data.comments).forEach(function (comment) {
      // A vote between two pages can move a comment across the cursor; show it once.
      if (!shown[comment.id]) self.list.appendChild(self.render(comment));
      shown[comment.id] = true;
    });
    this.cursor = data.next_cursor;
    if (this.more) {
      this.more.hidden = !this.cursor;
      this.more.href = this.more.href.replace(/([?&]cursor=)[^&#]*/, "$1" + (this.cursor || ""))
        .replace(/([?&]sort=)[^&#]*/, "$1" + this.sort);
    }
    this.empty.hidden = this.list.children.length > 0;
    this.setTotal(data.article.comment_count);
  };

  // The tabs and the list change together, once the new order has arrived: a failed
  // request leaves the previous tab and list, with the error under the tabs.
  Section.prototype.changeSort = function (sort) {
    var self = this;
    this.wantedSort = sort;
    this.root.classList.add("is-loading");
    callApi(this.listUrl(sort, null), "GET").then(function (result) {
      if (self.wantedSort !== sort) return;  // another tab was clicked since
      self.root.classList.remove("is-loading");
      if (!result.ok) return self.showError(result.message, ".cm-sort-error");
      self.showError("", ".cm-sort-error");
      self.sort = sort;
      document.cookie = SORT_COOKIE + "=" + sort + "; path=/; max-age=31536000; samesite=lax";
      self.root.querySelectorAll(".cm-sort").forEach(function (tab) {
        var active = tab.dataset.sort === sort;
        tab.classList.toggle("is-active", active);
        if (active) tab.setAttribute("aria-current", "true");
        else tab.removeAttribute("aria-current");
      });
      self.showPage(result.data, false);
    });
  };

  Section.prototype.loadMore = function () {
    var self = this;
    var sort = this.sort;
    var cursor = this.cursor;
    if (!cursor || this.loadingMore) return;
    this.loadingMore = true;
    this.more.setAttribute("aria-busy", "true");
    callApi(this.listUrl(sort, cursor), "GET").then(function (result) {
      self.loadingMore = false;
      self.more.removeAttribute("aria-busy");
      // A sort changed meanwhile has replaced the list this page was the next of.
      if (self.sort !== sort || self.cursor !== cursor) return;
      if (result.ok) self.showPage(result.data, true);
      else self.showError(result.message, ".cm-more-error");
    });
  };

  // A message under one comment about one action (vote, report); "" takes it away.
  Section.prototype.itemMessage = function (item, action, message, isError) {
    var note = item.querySelector('.cm-item-msg[data-action="' + action + '"]');
    if (!message) {
      if (note) note.remove();
      return;
    }
    if (!note) {
      note = document.createElement("p");
      note.dataset.action = action;
      item.appendChild(note);
    }
    note.className = isError ? "cm-error cm-item-msg" : "cm-item-msg";
    // Other notes are said through the section's live region, which is there before them.
    if (isError) note.setAttribute("role", "alert");
    else note.removeAttribute("role");
    note.textContent = message;
  };

  Section.prototype.vote = function (item, value) {
    var self = this;
    // A second click on the same button takes the vote back.
    var next = item.dataset.myVote === value ? "none" : value;
    var url = this.root.dataset.voteUrl.replace("/0/", "/" + item.dataset.id + "/");
    callApi(url, "POST", { value: next }).then(function (result) {
      if (!result.ok) return self.itemMessage(item, "vote", result.message, true);
      self.itemMessage(item, "vote", "");
      self.applyVote(item, result.data.comment);
    });
  };

  Section.prototype.openReport = function (item) {
    var panel = this.panel;
    if (this.reported[item.dataset.id]) return;
    panel.querySelectorAll("input[type=radio]").forEach(function (radio) {
      radio.checked = false;
    });
    panel.querySelector(".cm-report-msg").hidden = true;
    panel.querySelector(".cm-report-send").disabled = false;
    panel.dataset.commentId = item.dataset.id;
    item.appendChild(panel);
    panel.hidden = false;
    panel.querySelector("input[type=radio]").focus();
  };

  Section.prototype.sendReport = function () {
    var self = this;
    var panel = this.panel;
    var send = panel.querySelector(".cm-report-send");
    var message = panel.querySelector(".cm-report-msg");
    var chosen = panel.querySelector("input[type=radio]:checked");
    var show = function (text) { message.textContent = text; message.hidden = false; };
    if (!chosen) return show(MESSAGES.choose_reason);
    var id = panel.dataset.commentId;
    var url = this.root.dataset.reportUrl.replace("/0/", "/" + id + "/");
    send.disabled = true;
    callApi(url, "POST", { reason: chosen.value }).then(function (result) {
      var done = result.ok || (result.data.error && result.data.error.code === "already_reported");
      if (!done) {
        send.disabled = false;  // the reader may try again
        return show(result.message);
      }
      // Reported now or before (another page, another tab): one report per comment.
      self.reported[id] = true;
      var item = self.list.querySelector('.cm-item[data-id="' + id + '"]');
      var closing = panel.dataset.commentId === id;
      if (closing) {
        panel.hidden = true;
        self.root.appendChild(panel);
      }
      if (!item) return;
      self.markReported(item);
      var note = result.ok ? result.data.message : result.message;
      self.itemMessage(item, "report", note, false);
      // The focus was in the panel just closed: the disabled button cannot take it back,
      // the comment can.
      if (closing) {
        item.tabIndex = -1;
        item.focus();
      }
      self.announce(note);
    });
  };

  Section.prototype.markReported = function (item) {
    var button = item.querySelector(".cm-report");
    button.textContent = MESSAGES.reported;
    button.disabled = true;
    item.classList.add("is-reported");
  };

  Section.prototype.refreshTimes = function () {
    var now = new Date();
    this.list.querySelectorAll(".cm-time[datetime]").forEach(function (time) {
      time.textContent = relativeTime(time.getAttribute("datetime"), now);
    });
  };

  // Inside another site's iframe: tell the embedding script how tall we are.
  function reportHeight() {
    if (window.parent === window) return;
    var send = function () {
      window.parent.postMessage(
        { type: "comment-mod:height", height: document.documentElement.scrollHeight }, "*");
    };
    new ResizeObserver(send).observe(document.body);
    send();
  }

  document.querySelectorAll(".cm").forEach(function (root) {
    MESSAGES = JSON.parse(root.dataset.messages);
    TIME_ZONE = root.dataset.timeZone || TIME_ZONE;
    root.commentSection = new Section(root);
  });
  reportHeight();
})();
