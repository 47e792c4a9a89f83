/* OncoPRO check-in: one symptom per screen, and a draft kept on this device.
   Without JavaScript the form still works as one long page. The draft (her
   answers and the check-in's id) stays in this browser until the check-in is
   sent or she signs out, so a reload or a sign-in after a timeout loses
   nothing, and sending it again is recognised as the same check-in. */
(function () {
  "use strict";

  var DRAFT_PREFIX = "oncopro.draft.";
  // A report that could not be sent (offline, server down, signed out):
  // kept here, offered again on her next page, gone when sent or at sign-out.
  var PENDING_PREFIX = "oncopro.draft.pending.";

  function forgetAllDrafts() {
    Object.keys(localStorage).forEach(function (key) {
      if (key.indexOf(DRAFT_PREFIX) === 0) localStorage.removeItem(key);
    });
  }

  function saveDraft(form, key) {
    var data = {};
    new FormData(form).forEach(function (value, name) {
      if (name !== "csrfmiddlewaretoken") data[name] = value;
    });
    localStorage.setItem(key, JSON.stringify(data));
  }

  function restoreDraft(form, key) {
    var raw = localStorage.getItem(key);
    if (!raw) return;
    var data;
    try { data = JSON.parse(raw); } catch (e) { return; }
    Object.keys(data).forEach(function (name) {
      setValue(form, name, data[name]);
    });
  }

  function restoreWizardState(form, key) {
    var raw = localStorage.getItem(key);
    var data;
    try { data = JSON.parse(raw || "{}"); } catch (e) { return; }
    ["ticked", "extras"].forEach(function (name) {
      if (data[name] !== undefined) setValue(form, name, data[name]);
    });
  }

  function firstRadioName(section) {
    var radio = section.querySelector("input[type=radio]");
    return radio ? radio.name : null;
  }

  // Setting a radio group's value to "" checks nothing but unchecks nothing
  // either: clearing means unchecking each one.
  function setValue(form, name, value) {
    var field = form.elements.namedItem(name);
    if (!field) return;
    if (field.type === "checkbox") {
      field.checked = value === field.value;
    } else if (value === "" && field.length !== undefined) {
      Array.prototype.forEach.call(field, function (radio) { radio.checked = false; });
    } else {
      field.value = value;
    }
  }

  function valueOf(form, name) {
    var field = name && form.elements.namedItem(name);
    return field ? field.value : "";
  }

  // "Never" (or "None") hides the questions that no longer apply.
  function applyBranching(section) {
    var skipping = false;
    section.querySelectorAll("fieldset.question, div.field").forEach(function (question) {
      question.hidden = skipping;
      var checked = question.querySelector("input[type=radio]:checked");
      var name = checked ? checked.name : "";
      if (checked && checked.value === "0" && (/\.frequency$/.test(name) || /\.severity$/.test(name))) {
        skipping = true;
      }
    });
  }

  function el(tag, attrs, text) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (name) { node.setAttribute(name, attrs[name]); });
    if (text) node.textContent = text;
    return node;
  }

  function setUpWizard(form) {
    var key = DRAFT_PREFIX + form.dataset.draftKey;
    var hasErrors = form.querySelector(".field-error") !== null;
    // Which symptoms she ticked, kept with the draft (the server ignores it).
    var ticked = el("input", { type: "hidden", name: "ticked", value: "" });
    form.appendChild(ticked);
    // Other symptoms she added ("anything else?"), also kept with the draft.
    var extras = el("input", { type: "hidden", name: "extras", value: "" });
    form.appendChild(extras);
    // After an answer came back to fix, the page holds what she sent: take
    // only the wizard's own state from the draft, and show that answer.
    if (hasErrors) restoreWizardState(form, key); else restoreDraft(form, key);
    form.addEventListener("change", function () { saveDraft(form, key); });
    form.addEventListener("input", function () { saveDraft(form, key); });
    saveDraft(form, key);

    var sections = {};
    form.querySelectorAll("section[data-symptom]").forEach(function (section) {
      sections[section.dataset.symptom] = section;
      section.addEventListener("change", function () { applyBranching(section); });
    });
    var core = form.dataset.core.split(" ").filter(function (id) { return sections[id]; });
    var last = form.dataset.last.split(" ").filter(function (id) { return sections[id]; });
    var anythingElse = form.querySelector("section.anything-else");
    function addedExtras() {
      return extras.value ? extras.value.split(" ").filter(function (id) { return sections[id]; }) : [];
    }
    var send = form.querySelector("button[type=submit]");

    // Screen 1: which of the core symptoms she had.
    var checklist = el("section", { "class": "card", "aria-labelledby": "which-heading" });
    checklist.appendChild(el("h2", { id: "which-heading", tabindex: "-1" },
      form.dataset.which || "Which of these did you have in the last 7 days?"));
    var group = el("fieldset", { "class": "question" });
    group.appendChild(el("legend", {}, form.dataset.tick ||
      "Tick all that you had, or \u201cNone of these this week\u201d."));
    var boxes = el("div", { "class": "choices" });
    var remembered = ticked.value ? ticked.value.split(" ") : null;
    core.forEach(function (id) {
      var label = el("label", { "class": "choice" });
      var box = el("input", { type: "checkbox", value: id });
      var first = valueOf(form, firstRadioName(sections[id]));
      box.checked = remembered ? remembered.indexOf(id) !== -1 : first !== "" && first !== "0";
      label.appendChild(box);
      label.appendChild(el("span", {}, " " + sections[id].dataset.label));
      boxes.appendChild(label);
    });
    // "None of these this week": her explicit answer, never assumed from an
    // empty list (an empty check-in is not "no symptoms").
    var noneCard = form.querySelector("[data-none]");
    var noneBox = noneCard ? noneCard.querySelector("input[type=checkbox]") : null;
    if (noneBox) {
      boxes.appendChild(noneBox.closest("label"));
      noneCard.remove();
      noneBox.addEventListener("change", function () {
        if (!noneBox.checked) return;
        boxes.querySelectorAll("input").forEach(function (box) {
          if (box !== noneBox) box.checked = false;
        });
      });
      boxes.addEventListener("change", function (event) {
        if (event.target !== noneBox && event.target.checked) noneBox.checked = false;
      });
    }
    var chooseFirst = el("p", { "class": "error", id: "which-error", role: "alert" });
    chooseFirst.hidden = true;
    group.appendChild(chooseFirst);
    group.appendChild(boxes);
    checklist.appendChild(group);
    form.insertBefore(checklist, sections[core[0]] || send);

    // Low temperature: ask her to measure again, there and then.
    var temperature = form.querySelector("#q-temperature-c");
    if (temperature) {
      var hint = el("p", { "class": "hint", id: "low-temperature", role: "status" });
      temperature.insertAdjacentElement("afterend", hint);
      var lowReading = parseFloat(temperature.dataset.lowReading || "36");
      var checkLow = function () {
        var value = parseFloat(temperature.value.replace(",", "."));
        hint.textContent = value < lowReading ?
          "That is low. Wait a few minutes and measure again, with the thermometer in the same " +
          "place. If you feel shivery or unwell, call your care team now." : "";
      };
      temperature.addEventListener("input", checkLow);
      checkLow();
    }

    var nav = el("div", { "class": "wizard-nav" });
    var progress = el("p", { "class": "progress", "aria-live": "polite" });
    var back = el("button", { type: "button", "class": "button-secondary" }, "Back");
    var next = el("button", { type: "button", "class": "button-primary" }, "Next");
    nav.appendChild(back);
    nav.appendChild(next);
    form.insertBefore(progress, checklist);
    form.insertBefore(nav, send);

    var screens = [];
    var current = 0;

    function chosen() {
      return Array.prototype.filter.call(boxes.querySelectorAll("input"), function (box) {
        return box.checked && box !== noneBox;
      }).map(function (box) { return box.value; });
    }
    function noneChosen() { return noneBox !== null && noneBox.checked; }

    function buildScreens() {
      var picked = chosen();
      // Not ticked: asked, and answered "never" or "none" (not asked is not none).
      core.forEach(function (id) {
        var name = firstRadioName(sections[id]);
        var value = valueOf(form, name);
        if (noneChosen()) {
          if (name) setValue(form, name, "");  // the server records "none" for the set
        } else if (picked.indexOf(id) === -1) {
          if (name) setValue(form, name, "0");
        } else if (value === "0") {
          setValue(form, name, "");
        }
      });
      ticked.value = picked.join(" ");
      saveDraft(form, key);
      screens = [[checklist]];
      picked.forEach(function (id) { screens.push([sections[id]]); });
      addedExtras().forEach(function (id) { screens.push([sections[id]]); });
      var final = last.map(function (id) { return sections[id]; });
      if (anythingElse) final.push(anythingElse);
      screens.push(final);
    }

    function show(index) {
      current = index;
      checklist.hidden = true;
      if (anythingElse) anythingElse.hidden = true;
      Object.keys(sections).forEach(function (id) { sections[id].hidden = true; });
      screens[index].forEach(function (section) {
        section.hidden = false;
        if (section.dataset.symptom) applyBranching(section);
      });
      progress.textContent = "Step " + (index + 1) + " of " + screens.length;
      back.hidden = index === 0;
      var isLast = index === screens.length - 1;
      next.hidden = isLast;
      send.hidden = !isLast;
      var heading = screens[index][0].querySelector("h2");
      if (heading && index > 0) heading.focus();
    }

    boxes.addEventListener("change", function () {
      ticked.value = chosen().join(" ");
      saveDraft(form, key);
    });
    next.addEventListener("click", function () {
      if (current === 0) {
        if (!chosen().length && !noneChosen()) {
          chooseFirst.textContent = "Please tick what you had, or tick \u201cNone of these this week\u201d.";
          chooseFirst.hidden = false;
          group.setAttribute("aria-describedby", "which-error");
          chooseFirst.setAttribute("tabindex", "-1");
          chooseFirst.focus();
          chooseFirst.scrollIntoView({ block: "center" });
          return;
        }
        chooseFirst.hidden = true;
        group.removeAttribute("aria-describedby");
        buildScreens();
      }
      show(current + 1);
    });
    back.addEventListener("click", function () { show(current - 1); });

    // "Anything else?": her words, matched on the server, added as a screen.
    if (anythingElse) {
      var words = anythingElse.querySelector("#else-words");
      var found = anythingElse.querySelector(".else-matches");
      var token = form.querySelector("input[name=csrfmiddlewaretoken]").value;
      var addSymptom = function (id) {
        var list = addedExtras();
        if (list.indexOf(id) === -1 && core.indexOf(id) === -1) list.push(id);
        extras.value = list.join(" ");
        saveDraft(form, key);
        var position = screens.length - 1;
        buildScreens();
        show(Math.min(position, screens.length - 1));
      };
      var find = function () {
        var body = new URLSearchParams({ words: words.value });
        fetch(anythingElse.dataset.findUrl, {
          method: "POST",
          headers: { "X-CSRFToken": token, "Content-Type": "application/x-www-form-urlencoded" },
          body: body,
          credentials: "same-origin"
        }).then(function (response) { return response.json(); }).then(function (data) {
          found.textContent = "";
          if (!data.matches.length) {
            found.appendChild(el("p", {}, "We did not find that. Try other words."));
            return;
          }
          found.appendChild(el("p", {}, "Is it one of these? Pick one to add it."));
          data.matches.forEach(function (match) {
            var button = el("button", { type: "button", "class": "button-secondary" }, match.label);
            button.addEventListener("click", function () { addSymptom(match.id); });
            found.appendChild(button);
          });
        });
      };
      anythingElse.querySelector("[data-find]").addEventListener("click", find);
      var list = anythingElse.querySelector(".else-list");
      form.querySelectorAll("[data-others] section[data-symptom]").forEach(function (section) {
        var button = el("button", { type: "button", "class": "button-secondary" }, section.dataset.label);
        button.addEventListener("click", function () { addSymptom(section.dataset.symptom); });
        list.appendChild(button);
      });
      words.addEventListener("keydown", function (event) {
        if (event.key === "Enter") { event.preventDefault(); find(); }
      });
    }
    screens = [[checklist]];
    buildScreens();
    show(hasErrors ? screenToFix() : 0);
    if (hasErrors) {
      var error = form.querySelector(".field-error");
      error.setAttribute("tabindex", "-1");
      error.focus();
      error.scrollIntoView({ block: "center" });
    }

    // The screen holding the first answer to fix (added to the last screen
    // if it is on none, so it is never hidden).
    function screenToFix() {
      var section = form.querySelector(".field-error").closest("section[data-symptom]");
      for (var index = 0; index < screens.length; index++) {
        if (screens[index].indexOf(section) !== -1) return index;
      }
      screens[screens.length - 1].unshift(section);
      return screens.length - 1;
    }
  }

  // --- Sending safely: never lost without a word --------------------------------

  function entriesOf(form, submitter) {
    var entries = [];
    new FormData(form).forEach(function (value, name) {
      if (name !== "csrfmiddlewaretoken") entries.push([name, value]);
    });
    if (submitter && submitter.name) entries.push([submitter.name, submitter.value]);
    return entries;
  }

  function sayNotSent(form, signedOut) {
    var box = form.querySelector(".not-sent");
    if (!box) {
      box = el("div", { "class": "error-summary not-sent", role: "alert", tabindex: "-1" });
      form.insertBefore(box, form.firstChild);
    }
    box.textContent = "";
    box.appendChild(el("p", {}, signedOut ?
      "Nothing was sent: you were signed out. Your answers are kept on this device." :
      "Nothing was sent: this device is not connected to the internet, or our server did not answer. Your answers are kept on this device."));
    if (signedOut) {
      var again = el("p", {}, "");
      var link = el("a", { href: document.body.dataset.loginUrl + "?next=" + encodeURIComponent(location.pathname) },
        "Sign in again");
      again.appendChild(link);
      again.appendChild(document.createTextNode(", and you will be asked to send them."));
      box.appendChild(again);
    } else {
      box.appendChild(el("p", {}, "When you are connected again, press the send button again."));
    }
    var phone = form.dataset.helpPhone;
    if (phone) {
      var call = el("p", {}, "If you feel very unwell, do not wait: call the 24-hour line, ");
      call.appendChild(el("a", { "class": "phone", href: "tel:" + phone.replace(/[^0-9+*#]/g, "") }, phone));
      call.appendChild(document.createTextNode("."));
      box.appendChild(call);
    }
    box.focus();
  }

  function setUpSafeSend(form) {
    var key = PENDING_PREFIX + form.dataset.draftKey;
    form.addEventListener("submit", function (event) {
      if (form.dataset.checked === "yes") return;  // checked a moment ago: send
      event.preventDefault();
      var submitter = event.submitter;
      var pending = { url: form.getAttribute("action") || location.pathname, entries: entriesOf(form, submitter) };
      var keep = function (signedOut) {
        localStorage.setItem(key, JSON.stringify(pending));
        sayNotSent(form, signedOut);
      };
      if (navigator.onLine === false) { keep(false); return; }
      fetch(document.body.dataset.aliveUrl, {
        credentials: "same-origin", cache: "no-store", redirect: "manual",
        headers: { "X-OncoPRO-Background": "1" }
      }).then(function (response) {
        if (response.status !== 204) { keep(true); return; }
        form.dataset.checked = "yes";
        if (submitter && submitter.name) {
          form.appendChild(el("input", { type: "hidden", name: submitter.name, value: submitter.value }));
        }
        HTMLFormElement.prototype.submit.call(form);
      }, function () { keep(false); });
    });
  }

  // On any page of hers: answers that were not sent, with a button to send them.
  function offerPending() {
    var user = document.body.dataset.user;
    var main = document.getElementById("main");
    var token = document.querySelector("input[name=csrfmiddlewaretoken]");
    if (!user || !main || !token) return;
    Object.keys(localStorage).forEach(function (name) {
      if (name.indexOf(PENDING_PREFIX) !== 0 || !name.endsWith("." + user)) return;
      var pending;
      try { pending = JSON.parse(localStorage.getItem(name)); } catch (e) { return; }
      if (!pending || !pending.url || !pending.entries) return;
      var form = el("form", { method: "post", action: pending.url, "class": "card pending-report stack" });
      form.appendChild(el("h2", {}, "Answers not sent yet"));
      form.appendChild(el("p", {}, "A report you started was not sent. It is kept on this device."));
      form.appendChild(el("input", { type: "hidden", name: "csrfmiddlewaretoken", value: token.value }));
      pending.entries.forEach(function (entry) {
        form.appendChild(el("input", { type: "hidden", name: entry[0], value: entry[1] }));
      });
      form.appendChild(el("button", { type: "submit", "class": "button-primary" }, "Send it now"));
      main.insertBefore(form, main.firstChild);
      form.dataset.draftKey = name.slice(PENDING_PREFIX.length);
      setUpSafeSend(form);
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    var finished = document.body.dataset.clearDraft;
    if (finished) {
      localStorage.removeItem(DRAFT_PREFIX + finished);
      localStorage.removeItem(PENDING_PREFIX + finished);
    }
    if (document.body.hasAttribute("data-forget-drafts")) forgetAllDrafts();
    document.querySelectorAll("form[data-sign-out]").forEach(function (form) {
      form.addEventListener("submit", forgetAllDrafts);
    });
    var wizard = document.querySelector("form[data-wizard]");
    if (wizard) setUpWizard(wizard);
    document.querySelectorAll("form[data-send-safely]").forEach(setUpSafeSend);
    offerPending();
  });
})();
