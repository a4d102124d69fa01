/* CityMatch page behaviour, kept out of the templates so the Content-Security-Policy can forbid inline scripts. */
(function () {
  "use strict";

  // Ask before a destructive action: a form, or the button that submits it, carries data-confirm.
  document.addEventListener("submit", function (event) {
    var form = event.target;
    var button = event.submitter;
    var question = (button && button.getAttribute("data-confirm")) || form.getAttribute("data-confirm");
    if (question && !window.confirm(question)) {
      event.preventDefault();
    }
  });

  // A select marked data-autosubmit (the language switch) submits its form when changed.
  document.addEventListener("change", function (event) {
    var field = event.target;
    if (field.hasAttribute && field.hasAttribute("data-autosubmit") && field.form) {
      field.form.submit();
    }
  });
})();

// A field with a length limit (data-maxlength) shows "typed / limit"; the server checks the limit
// and explains it, so the browser never cuts text silently (no maxlength attribute).
(function () {
  "use strict";

  function update(field) {
    var counter = document.querySelector('[data-counter-for="' + field.id + '"]');
    if (!counter) {
      return;
    }
    var limit = parseInt(field.getAttribute("data-maxlength"), 10);
    var length = Array.from(field.value).length;
    counter.textContent = length.toLocaleString() + " / " + limit.toLocaleString();
    counter.classList.toggle("text-danger", length > limit);
  }

  document.addEventListener("input", function (event) {
    if (event.target.hasAttribute && event.target.hasAttribute("data-maxlength")) {
      update(event.target);
    }
  });
  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("[data-maxlength]").forEach(update);
  });
})();

// Live suggestions on the need form: after a pause in typing, the draft is posted (with the
// form's CSRF token) to the panel's data-suggestions-url, which writes nothing and answers with
// the best matching published solutions; the panel is an aria-live region.
(function () {
  "use strict";

  var DEBOUNCE_MS = 500;
  var DRAFT_FIELDS = ["title", "description", "primary_category_id", "secondary_category_ids",
                      "budget_min", "budget_max", "application_deadline"];

  function start(panel) {
    var form = document.getElementById(panel.getAttribute("data-suggestions-form"));
    if (!form || !window.fetch) {
      return;
    }
    var results = panel.querySelector("#draft-suggestions-results");
    var status = panel.querySelector("[data-suggestions-status]");
    var list = panel.querySelector("[data-suggestions-list]");
    var partial = panel.querySelector("[data-suggestions-partial]");
    var partialHeading = panel.querySelector("[data-suggestions-partial-heading]");
    var itemTemplate = panel.querySelector("#draft-suggestion-item");
    var timer = null;
    var lastSent = null;
    var inFlight = null;
    var sequence = 0;

    function draftBody() {
      var data = new FormData(form);
      var body = new URLSearchParams();
      body.append("csrf_token", data.get("csrf_token") || "");
      DRAFT_FIELDS.forEach(function (name) {
        data.getAll(name).forEach(function (value) { body.append(name, value); });
      });
      return body.toString();
    }

    function item(suggestion) {
      var node = itemTemplate.content.firstElementChild.cloneNode(true);
      var link = node.querySelector('[data-field="title"]');
      link.textContent = suggestion.title;
      link.href = suggestion.url;
      node.querySelector('[data-field="company"]').textContent = suggestion.company;
      node.querySelector('[data-field="percent"]').textContent = suggestion.percent + "%";
      node.querySelector('[data-field="low"]').hidden = !suggestion.low_confidence;
      node.setAttribute("data-solution-id", suggestion.id);
      return node;
    }

    function show(message, strong, weak) {
      status.textContent = message;
      list.replaceChildren.apply(list, strong.map(item));
      partial.replaceChildren.apply(partial, weak.map(item));
      partialHeading.hidden = weak.length === 0;
    }

    function request() {
      var body = draftBody();
      if (body === lastSent) {
        return;
      }
      lastSent = body;
      if (inFlight) {
        inFlight.abort();
      }
      inFlight = new AbortController();
      var mine = ++sequence;
      results.setAttribute("aria-busy", "true");
      status.textContent = panel.getAttribute("data-msg-loading");
      fetch(panel.getAttribute("data-suggestions-url"), {
        method: "POST",
        body: body,
        headers: {"Content-Type": "application/x-www-form-urlencoded", "Accept": "application/json"},
        credentials: "same-origin",
        signal: inFlight.signal
      }).then(function (response) {
        var failure = response.status === 429 ? "data-msg-rate-limited" : "data-msg-error";
        var json = (response.headers.get("Content-Type") || "").indexOf("application/json") === 0;
        return (json ? response.json() : Promise.resolve({})).then(function (data) {
          if (mine !== sequence) {
            return;
          }
          if (!response.ok) {
            lastSent = null;  // let the next pause try again
            show(data.error || panel.getAttribute(failure), [], []);
            return;
          }
          var message = data.hint || panel.getAttribute("data-msg-found")
            .replace("{count}", String(data.suggestions.length));
          show(message, data.suggestions, data.partial);
        });
      }).catch(function (error) {
        if (error.name !== "AbortError" && mine === sequence) {
          lastSent = null;
          show(panel.getAttribute("data-msg-error"), [], []);
        }
      }).finally(function () {
        if (mine === sequence) {
          results.setAttribute("aria-busy", "false");
        }
      });
    }

    function schedule(event) {
      if (event.target.name && DRAFT_FIELDS.indexOf(event.target.name) >= 0) {
        window.clearTimeout(timer);
        timer = window.setTimeout(request, DEBOUNCE_MS);
      }
    }

    panel.hidden = false;
    form.addEventListener("input", schedule);
    form.addEventListener("change", schedule);
    if (form.elements.title.value || form.elements.description.value) {
      request();  // an edited need already has a draft: show what fits it now
    }
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("[data-suggestions-url]").forEach(start);
  });
})();
