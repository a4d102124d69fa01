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
