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
