// fansite: small progressive enhancements. Every feature works without this file.
(function () {
  "use strict";

  // Inline spoilers are checkboxes, which toggle with Space. Readers expect
  // Enter to work too, as it does on a button.
  document.addEventListener("keydown", function (event) {
    var target = event.target;
    if (event.key === "Enter" && target.classList && target.classList.contains("spoiler__toggle")) {
      event.preventDefault();
      target.click();
    }
  });

  // --- Writing (docs/writing.md): a toolbar, a live preview and drafts on every form
  // marked data-compose. The server's Preview button does the same without JavaScript.

  var DRAFT_PREFIX = "fansite:draft:";
  var POSTING = "fansite:posting"; // sessionStorage: the draft of the form just posted
  var DRAFT_DAYS = 30;
  var PREVIEW_DELAY = 600; // ms after the last keystroke

  function usableStorage(name) {
    try {
      var store = window[name];
      store.setItem("fansite:probe", "1");
      store.removeItem("fansite:probe");
      return store;
    } catch (error) {
      return null; // private mode, storage disabled: the forms work as they are
    }
  }
  var drafts = usableStorage("localStorage");
  var session = usableStorage("sessionStorage");

  // Per form and reply target: the form's address and the comment it answers.
  function draftKey(form) {
    var parent = form.querySelector('input[name="parent"]');
    var path = new URL(form.getAttribute("action") || "", window.location.href).pathname;
    return DRAFT_PREFIX + path + "#" + (parent && parent.value ? parent.value : "");
  }

  function draftFields(form) {
    return form.querySelectorAll('textarea[name], input[type="text"][name="title"]');
  }

  function readDraft(key) {
    try {
      var draft = JSON.parse(drafts.getItem(key));
      if (draft && draft.fields && Date.now() - draft.at < DRAFT_DAYS * 86400000) {
        return draft;
      }
    } catch (error) {
      // not ours or damaged: dropped below
    }
    drafts.removeItem(key);
    return null;
  }

  function saveDraft(form) {
    var fields = {};
    var typed = false;
    draftFields(form).forEach(function (field) {
      fields[field.name] = field.value;
      typed = typed || field.value.trim() !== "";
    });
    var key = draftKey(form);
    try {
      if (typed) {
        drafts.setItem(key, JSON.stringify({ fields: fields, at: Date.now() }));
      } else {
        drafts.removeItem(key);
      }
    } catch (error) {
      // storage full: the text is still in the form
    }
  }

  // After a post, the next page says how it went: a page showing comments (the thread
  // or article, at the new comment) means it was stored; the form sent back (a refusal,
  // a mistake to correct, a preview) or any other page keeps the draft.
  function settlePostedDraft() {
    var key = session.getItem(POSTING);
    if (!key) {
      return;
    }
    session.removeItem(POSTING);
    var sentBack = Array.prototype.some.call(
      document.querySelectorAll("form[data-compose][data-posted-back]"),
      function (form) { return draftKey(form) === key; }
    );
    if (!sentBack && document.querySelector("article.comment")) {
      drafts.removeItem(key);
    }
  }

  // Put back the stored draft for what the form answers now, if it differs from the
  // form; says whether it did, and shows "Your unsent draft is back" when it did.
  function restoreDraft(form, parts) {
    var fields = draftFields(form);
    var draft = readDraft(draftKey(form));
    var changed = false;
    if (draft) {
      fields.forEach(function (field) {
        var value = draft.fields[field.name];
        if (typeof value === "string" && value !== field.value) {
          field.value = value;
          changed = true;
        }
      });
    }
    if (parts.draftNote) {
      showDraftNote(form, parts.draftNote, changed);
    }
    return changed;
  }

  // In the page only while it has something to say.
  function showDraftNote(form, note, shown) {
    if (!shown) {
      note.remove();
      return;
    }
    var anchor = form.querySelector("textarea") || draftFields(form)[0];
    anchor.parentNode.insertBefore(note, anchor);
    note.hidden = false;
  }

  function setUpDraft(form, parts) {
    var fields = draftFields(form);
    if (!fields.length) {
      return;
    }
    if (parts.draftNote) {
      var note = parts.draftNote;
      note.querySelector(".compose-draft__discard").addEventListener("click", function () {
        fields.forEach(function (field) { field.value = field.defaultValue; });
        drafts.removeItem(draftKey(form));
        showDraftNote(form, note, false);
        fields[0].dispatchEvent(new Event("input", { bubbles: true }));
        (form.querySelector("textarea") || fields[0]).focus();
      });
    }
    if (form.hasAttribute("data-posted-back")) {
      // The server sent back what was just typed: that is the newest text.
      saveDraft(form);
    } else {
      restoreDraft(form, parts);
    }
    form.addEventListener("input", function () { saveDraft(form); });
    form.addEventListener("submit", function (event) {
      var submitter = event.submitter;
      if (submitter && submitter.name === "preview") {
        return;
      }
      saveDraft(form);
      // The key of what the form answers when it is sent: Reply may have changed it.
      session.setItem(POSTING, draftKey(form));
    });
  }

  // --- Toolbar ---

  // Replace the selection by before + middle + after, leaving middle selected to type over.
  function insert(textarea, before, middle, after) {
    var start = textarea.selectionStart;
    var text = before + middle + after;
    textarea.focus();
    textarea.setSelectionRange(start, textarea.selectionEnd);
    // insertText keeps the browser's undo history; setRangeText where it is missing.
    if (!document.execCommand || !document.execCommand("insertText", false, text)) {
      textarea.setRangeText(text, start, textarea.selectionEnd, "end");
      textarea.dispatchEvent(new Event("input", { bubbles: true }));
    }
    textarea.setSelectionRange(start + before.length, start + before.length + middle.length);
  }

  function selection(textarea) {
    return textarea.value.slice(textarea.selectionStart, textarea.selectionEnd);
  }

  // Block syntax (quotes, spoiler blocks) starts on a line of its own after a blank one.
  function blockLead(textarea) {
    var before = textarea.value.slice(0, textarea.selectionStart);
    if (before === "" || /\n\n$/.test(before)) {
      return "";
    }
    return /\n$/.test(before) ? "\n" : "\n\n";
  }

  function wrap(before, after) {
    return function (textarea, placeholder) {
      insert(textarea, before, selection(textarea) || placeholder, after);
    };
  }

  var INSERTS = {
    bold: wrap("**", "**"),
    italic: wrap("*", "*"),
    spoiler: wrap(">!", "!<"),
    link: function (textarea, placeholder) {
      var selected = selection(textarea);
      if (/^https?:\/\/\S+$/.test(selected)) {
        insert(textarea, "[", placeholder, "](" + selected + ")");
      } else {
        insert(textarea, "[" + (selected || placeholder) + "](", "https://", ")");
      }
    },
    quote: function (textarea, placeholder) {
      var lines = (selection(textarea) || placeholder).split("\n");
      insert(textarea, blockLead(textarea) + "> ", lines.join("\n> "), "\n\n");
    },
    "spoiler-block": function (textarea, placeholder) {
      var middle = selection(textarea) || placeholder;
      insert(textarea, blockLead(textarea) + ":::spoiler\n", middle, "\n:::\n");
    }
  };

  function setUpToolbar(textarea, toolbar) {
    textarea.parentNode.insertBefore(toolbar, textarea);
    toolbar.addEventListener("click", function (event) {
      var button = event.target.closest("button[data-insert]");
      if (button && INSERTS[button.dataset.insert]) {
        INSERTS[button.dataset.insert](textarea, button.dataset.placeholder || "");
      }
    });
  }

  // --- Live preview ---

  function setUpLivePreview(form, textarea, section, failedText) {
    var url = form.dataset.previewUrl;
    var token = form.querySelector('input[name="csrfmiddlewaretoken"]');
    if (!url || !token || !window.fetch) {
      return;
    }
    var body = section.querySelector(".compose-preview__body");
    var status = section.querySelector(".compose-preview__status");
    var actions = form.querySelector(".form__actions");
    form.insertBefore(section, actions);
    var timer = null;
    var latest = 0;

    function show(html, message) {
      var sent = document.getElementById("preview");
      if (sent) {
        sent.hidden = true; // the Preview button's result, now out of date
      }
      body.innerHTML = html; // sanitized by the server, exactly as a post is
      status.textContent = message || "";
      section.hidden = html === "" && !message;
    }

    function refresh() {
      var text = textarea.value;
      var sequence = ++latest;
      if (text.trim() === "") {
        show("", "");
        return;
      }
      var data = new FormData();
      data.append("body", text);
      fetch(url, {
        method: "POST",
        body: data,
        credentials: "same-origin",
        headers: { "X-CSRFToken": token.value }
      }).then(function (response) {
        return response.text().then(function (answer) {
          if (sequence !== latest) {
            return; // a newer preview is on its way
          }
          if (response.ok) {
            show(answer, "");
          } else {
            // Refusals (a limit reached, logged out) are plain text written for the member.
            status.textContent = /^text\/plain/.test(response.headers.get("Content-Type") || "")
              ? answer
              : failedText;
            section.hidden = false;
          }
        });
      }).catch(function () {
        if (sequence === latest) {
          status.textContent = failedText;
          section.hidden = false;
        }
      });
    }

    textarea.addEventListener("input", function () {
      window.clearTimeout(timer);
      timer = window.setTimeout(refresh, PREVIEW_DELAY);
    });
    // Posting leaves the page: a preview still waiting to be asked for is not needed.
    form.addEventListener("submit", function () {
      window.clearTimeout(timer);
    });
    // A restored draft or a quote: show how it looks. Not on a form the server just sent
    // back: it has said what it had to about that text (a preview, or why it was refused).
    if (textarea.value.trim() !== "" && !form.hasAttribute("data-posted-back")) {
      refresh();
    }
  }

  // --- Reply and Quote without leaving the page ---
  // The thread's compose box moves under the comment answered: right under a reply, or
  // under a top-level comment's replies. Its hidden "parent" names the comment, Quote
  // fills in the quote the server makes for ?quote=<pk> (fetched from the link's
  // data-quote-url, gated like the page), and "Cancel reply" takes it back to where it
  // was. Any failure falls back to following the link, which works without JavaScript.

  function setUpReplies(form, parts) {
    var template = form.querySelector("template.compose-reply-template");
    var box = form.closest(".comment-compose");
    var parent = form.querySelector('input[name="parent"]');
    var textarea = form.querySelector("textarea[name=body]");
    if (!template || !box || !parent || !textarea || !window.fetch) {
      return;
    }
    var text = template.content.querySelector(".compose-reply__text").dataset;
    var heading = box.querySelector(".comment-compose__heading");
    var submit = form.querySelector('.form__actions button[type="submit"]:not([name="preview"])');
    var level = form.querySelector('select[name="spoils_episode"]');
    var levelHelp = level && document.getElementById(level.id + "_helptext");
    var bodyHelp = document.getElementById(textarea.id + "_helptext");
    var home = document.createComment("compose box");
    box.parentNode.insertBefore(home, box);
    // How the page was sent, to go back to on "Cancel reply".
    var initial = {
      parent: parent.value,
      heading: heading && heading.textContent,
      submit: submit && submit.textContent,
      replying: form.querySelector(".comment-form__replying"),
      levelHelp: levelHelp && levelHelp.innerHTML,
      bodyHelp: bodyHelp && bodyHelp.innerHTML
    };
    var replying = null; // the "Replying to @name · Cancel reply" line Reply added
    var busy = 0;

    function defaultLevel() {
      var chosen = Array.prototype.find.call(level.options, function (option) {
        return option.defaultSelected;
      });
      return (chosen || level.options[0]).value;
    }

    // The "spoils up to" menu at the level a quote needs, or as the page sent it.
    function setLevel(value, help) {
      if (level && level.options.length) {
        var wanted = value === null || value === undefined ? defaultLevel() : String(value);
        level.value = wanted;
        if (level.value !== wanted) {
          level.value = defaultLevel();
        }
      }
      if (levelHelp) {
        if (help) {
          levelHelp.textContent = help;
        } else {
          levelHelp.innerHTML = initial.levelHelp;
        }
      }
    }

    // Keep what was typed as the draft of what it answered, and show the draft of what
    // the box answers now (or `fallback`).
    function switchDraft(pk, fallback) {
      if (drafts && session) {
        saveDraft(form);
      }
      parent.value = pk;
      if (!(drafts && session && restoreDraft(form, parts))) {
        textarea.value = fallback;
      }
    }

    function answer(comment, pk) {
      switchDraft(pk, "");
      var author = comment.querySelector(".comment__author");
      var line = template.content.querySelector(".compose-reply").cloneNode(true);
      var link = line.querySelector(".compose-reply__author");
      link.href = "#" + comment.id;
      link.textContent = author && !author.classList.contains("comment__author--deleted")
        ? "@" + author.textContent.trim()
        : text.deletedMember;
      line.querySelector(".compose-reply__cancel").addEventListener("click", cancel);
      if (initial.replying) {
        initial.replying.remove();
      }
      if (replying) {
        replying.replaceWith(line);
      } else {
        form.insertBefore(line, form.querySelector(".form-errors, .field") || textarea);
      }
      replying = line;
      if (heading) {
        heading.textContent = text.headingReply;
      }
      if (submit) {
        submit.textContent = text.submitReply;
      }
      setLevel(null, null);
      if (bodyHelp) {
        bodyHelp.innerHTML = initial.bodyHelp;
      }
      // Right under a reply; under a top-level comment's replies.
      var item = comment.closest("li");
      if (item && item.classList.contains("comment-list__item") && comment.parentNode === item) {
        item.appendChild(box);
      } else {
        comment.parentNode.insertBefore(box, comment.nextSibling);
      }
    }

    function cancel() {
      switchDraft(initial.parent, textarea.defaultValue);
      if (replying) {
        replying.remove();
        replying = null;
      }
      if (initial.replying) {
        form.insertBefore(initial.replying, form.querySelector(".form-errors, .field") || textarea);
      }
      if (heading) {
        heading.textContent = initial.heading;
      }
      if (submit) {
        submit.textContent = initial.submit;
      }
      setLevel(null, null);
      if (bodyHelp) {
        bodyHelp.innerHTML = initial.bodyHelp;
      }
      home.parentNode.insertBefore(box, home.nextSibling);
      done();
    }

    // The cursor at the end of the text, the box in view, the preview and draft updated.
    function done() {
      textarea.focus();
      textarea.setSelectionRange(textarea.value.length, textarea.value.length);
      box.scrollIntoView({ block: "nearest" });
      textarea.dispatchEvent(new Event("input", { bubbles: true }));
    }

    function quote(link, comment, pk) {
      var sequence = ++busy;
      fetch(link.dataset.quoteUrl, {
        credentials: "same-origin",
        headers: { Accept: "application/json" }
      }).then(function (response) {
        var json = /^application\/json/.test(response.headers.get("Content-Type") || "");
        if (!response.ok || !json) {
          throw new Error("no quote");
        }
        return response.json();
      }).then(function (data) {
        if (sequence !== busy) {
          return; // another Reply or Quote since
        }
        answer(comment, pk);
        var before = textarea.value;
        if (before.indexOf(data.body.trim()) === -1) {
          // After the draft of this reply, if any, as a block of its own.
          var lead = before === "" || /\n\n$/.test(before) ? "" : /\n$/.test(before) ? "\n" : "\n\n";
          textarea.value = before + lead + data.body;
        }
        setLevel(data.spoils_episode, data.spoils_episode_help);
        if (bodyHelp && data.body_help) {
          bodyHelp.textContent = data.body_help;
        }
        done();
      }).catch(function () {
        window.location.assign(link.href); // the page with the form filled in by the server
      });
    }

    document.addEventListener("click", function (event) {
      var link = event.target.closest("a[data-reply]");
      if (!link || event.defaultPrevented || event.button !== 0 || event.ctrlKey ||
          event.metaKey || event.shiftKey || event.altKey) {
        return;
      }
      var comment = link.closest("article.comment");
      if (!comment) {
        return;
      }
      event.preventDefault();
      if (link.dataset.quoteUrl) {
        quote(link, comment, link.dataset.reply);
      } else {
        ++busy;
        answer(comment, link.dataset.reply);
        done();
      }
    });
  }

  function setUpComposer(form) {
    var template = form.querySelector("template.compose-template");
    var parts = {};
    if (template) {
      var content = template.content;
      parts.toolbar = content.querySelector(".compose-toolbar").cloneNode(true);
      parts.preview = content.querySelector(".compose-preview--live").cloneNode(true);
      parts.draftNote = content.querySelector(".compose-draft").cloneNode(true);
      parts.failedText = content.querySelector(".compose-text").dataset.previewFailed;
    }
    var textarea = form.querySelector("textarea[name=body]");
    if (drafts && session) {
      setUpDraft(form, parts);
    }
    if (textarea && template) {
      setUpToolbar(textarea, parts.toolbar);
      setUpLivePreview(form, textarea, parts.preview, parts.failedText);
    }
    setUpReplies(form, parts);
  }

  if (drafts && session) {
    settlePostedDraft();
  }
  document.querySelectorAll("form[data-compose]").forEach(setUpComposer);

  // Reactions (docs/reactions.md): each button posts its form; without JavaScript
  // the page reloads at the comment, and "React" leads to a page of every kind.
  // Here "React" opens every kind in place (the page's one #reaction-picker
  // template), the server sends the new bar alone and it replaces the old one,
  // focus staying on the button pressed.
  // A comment without reactions has the "React" link alone: it becomes a form
  // (the page's one #reaction-form) the first time it is used.
  var pickerTemplate = document.getElementById("reaction-picker");
  var formTemplate = document.getElementById("reaction-form");
  function formAround(link) {
    var bare = link.closest("[data-reactions-bare]");
    if (!bare) {
      return link.closest("form");
    }
    var form = formTemplate.content.firstElementChild.cloneNode(true);
    form.action = link.pathname;
    form.querySelector("input[name=next]").value =
      new URLSearchParams(link.search).get("next") || "";
    form.querySelector(".reactions__buttons").after(link);
    bare.replaceWith(form);
    return form;
  }
  document.addEventListener("click", function (event) {
    var link = event.target.closest && event.target.closest("[data-reactions] a.reactions__add," +
      " [data-reactions-bare] a.reactions__add");
    if (!link || !pickerTemplate || !formTemplate || event.button !== 0 || event.ctrlKey ||
        event.metaKey || event.shiftKey || event.altKey) {
      return;
    }
    event.preventDefault();
    var form = formAround(link);
    var open = form.querySelector(".reactions__picker");
    if (open) {
      open.remove();
      link.setAttribute("aria-expanded", "false");
      return;
    }
    var picker = pickerTemplate.content.firstElementChild.cloneNode(true);
    picker.querySelectorAll("button[name=react]").forEach(function (button) {
      var slug = button.value.split(":")[0];
      if (form.querySelector('.reactions__buttons button[value="' + slug + ':off"]')) {
        button.value = slug + ":off";
        button.setAttribute("aria-pressed", "true");
        button.classList.add("is-pressed");
      }
    });
    link.after(picker);
    link.setAttribute("aria-expanded", "true");
    picker.querySelector("button").focus();
  });
  document.addEventListener("keydown", function (event) {
    var picker = event.key === "Escape" && event.target.closest &&
      event.target.closest(".reactions__picker");
    if (picker) {
      var link = picker.closest("form").querySelector("a.reactions__add");
      picker.remove();
      link.setAttribute("aria-expanded", "false");
      link.focus();
    }
  });
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!form.matches || !form.matches("form[data-reactions]") || !window.fetch) {
      return;
    }
    var button = event.submitter;
    if (!button || button.name !== "react") {
      return;
    }
    event.preventDefault();
    if (form.dataset.busy) {
      return;
    }
    form.dataset.busy = "1";
    var data = new FormData(form);
    data.append("react", button.value);
    var slug = button.value.split(":")[0];
    var status = form.querySelector(".reactions__status");
    fetch(form.action, {
      method: "POST",
      body: data,
      credentials: "same-origin",
      headers: { "X-Fansite-Fragment": "reactions" }
    }).then(function (response) {
      return response.text().then(function (text) {
        if (!response.ok) {
          throw new Error(/^text\/plain/.test(response.headers.get("Content-Type") || "") ? text : "");
        }
        var holder = document.createElement("div");
        holder.innerHTML = text;
        var fresh = holder.firstElementChild;
        form.replaceWith(fresh);
        var again = fresh.querySelector('button[name=react][value^="' + slug + ':"]') ||
          fresh.querySelector("a.reactions__add");
        if (again) {
          again.focus();
        }
      });
    }).catch(function (error) {
      delete form.dataset.busy;
      if (status) {
        status.textContent = error.message || status.dataset.failed || "";
      }
    });
  });
})();
