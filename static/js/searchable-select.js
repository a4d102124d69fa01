/* Progressive enhancement: a multi-select marked data-searchable-select becomes a Tom Select
   search box that lists the chosen options as removable chips. Without JavaScript the native
   select still works, and the form posts the same field either way. */
(function () {
  "use strict";

  if (typeof window.TomSelect !== "function") {
    return;
  }

  function escapeText(text) {
    var span = document.createElement("span");
    span.textContent = text;
    return span.innerHTML;
  }

  document.querySelectorAll("select[data-searchable-select]").forEach(function (select) {
    var maxItems = parseInt(select.getAttribute("data-max-items"), 10) || null;
    var noResults = select.getAttribute("data-no-results") || "";
    var removeLabel = select.getAttribute("data-remove-label") || "×";
    new window.TomSelect(select, {
      plugins: { remove_button: { title: removeLabel, label: "×" } },
      maxItems: maxItems,
      placeholder: select.getAttribute("data-placeholder") || "",
      hidePlaceholder: false,
      closeAfterSelect: true,
      maxOptions: null,
      create: false,
      render: {
        no_results: function () {
          return '<div class="no-results">' + escapeText(noResults) + "</div>";
        }
      }
    });
  });
})();
