// Starts Swagger UI (static/vendor/swagger-ui/) on the API documentation page; an external
// script because the Content-Security-Policy allows no inline ones.
(function () {
  "use strict";
  var root = document.getElementById("swagger-ui");
  if (!root || typeof window.SwaggerUIBundle !== "function") {
    return;
  }
  window.SwaggerUIBundle({
    url: root.getAttribute("data-spec-url"),
    domNode: root,
    deepLinking: true,
    validatorUrl: null,
    defaultModelsExpandDepth: 0
  });
})();
