/* Local times (docs/design.md). Pages are rendered in UTC for visitors and for
   members who have not chosen a time zone; this rewrites each <time datetime>
   into the browser's own zone and date format. A member who chose a zone in
   Settings gets their pages rendered in it (<html data-time-zone>), and the
   text is left as the server wrote it. Without JavaScript the times stay in
   UTC, as the footer says. The datetime attributes are never changed.

   On the profile settings page, an empty "Time zone" select is preset to the
   browser's zone, so saving the form keeps it. */
(function () {
  "use strict";

  var root = document.documentElement;
  var browserZone;
  try {
    browserZone = Intl.DateTimeFormat().resolvedOptions().timeZone;
  } catch (error) {
    return;
  }

  // "2026-12-02T15:04:05+00:00": an instant. "2022-01-28" (air dates): a day
  // with no zone, left alone.
  var INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}/;
  var HAS_TIME = /\d{1,2}:\d{2}/;
  var HAS_DAY = /(^|\D)\d{1,2}\s+\S+\s+\d{4}/;

  function formatter(options) {
    try {
      return new Intl.DateTimeFormat(undefined, options);
    } catch (error) {
      return null;
    }
  }

  var withTime = formatter({ dateStyle: "medium", timeStyle: "short" });
  var dayOnly = formatter({ dateStyle: "long" });
  var full = formatter({ dateStyle: "full", timeStyle: "long" });

  function localise(element) {
    var value = element.getAttribute("datetime");
    if (!value || !INSTANT.test(value) || element.hasAttribute("data-local")) {
      return;
    }
    var instant = new Date(value);
    if (isNaN(instant.getTime())) {
      return;
    }
    var text = element.textContent;
    // Keep what the page chose to say: a time when it showed one, a day when it
    // showed a day; "December 2026" (member since) is left as it is.
    var format = HAS_TIME.test(text) ? withTime : HAS_DAY.test(text) ? dayOnly : null;
    if (format) {
      element.textContent = format.format(instant);
    }
    if (full && !element.title) {
      element.title = full.format(instant);
    }
    element.setAttribute("data-local", "");
  }

  function localiseAll(scope) {
    var times = (scope || document).querySelectorAll("time[datetime]");
    for (var i = 0; i < times.length; i += 1) {
      localise(times[i]);
    }
  }

  function presetZoneSelect() {
    var selects = document.querySelectorAll("select[data-browser-time-zone]");
    for (var i = 0; i < selects.length; i += 1) {
      var select = selects[i];
      if (select.value !== "" || !browserZone) {
        continue;
      }
      for (var j = 0; j < select.options.length; j += 1) {
        if (select.options[j].value === browserZone) {
          select.value = browserZone;
          break;
        }
      }
    }
  }

  function start() {
    presetZoneSelect();
    if (root.hasAttribute("data-time-zone")) {
      return;
    }
    localiseAll(document);
    var note = document.querySelector("[data-time-zone-note]");
    if (note && browserZone && note.getAttribute("data-time-zone-note")) {
      // The sentence comes translated from the page; the "Choose your time
      // zone" link a member without one has is kept.
      var link = note.querySelector("a");
      note.textContent =
        note.getAttribute("data-time-zone-note").replace("{zone}", browserZone) + " ";
      if (link) {
        note.appendChild(link);
      }
    }
    // Times that arrive later (a live preview, a loaded reply) get the same.
    if (window.MutationObserver) {
      new MutationObserver(function (records) {
        for (var i = 0; i < records.length; i += 1) {
          var added = records[i].addedNodes;
          for (var j = 0; j < added.length; j += 1) {
            var node = added[j];
            if (node.nodeType !== 1) {
              continue;
            }
            if (node.matches("time[datetime]")) {
              localise(node);
            } else {
              localiseAll(node);
            }
          }
        }
      }).observe(document.body, { childList: true, subtree: true });
    }
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
