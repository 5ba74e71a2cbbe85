// Draws Swagger UI from the app's own copy of it, reading the schema named by the page.
(function () {
  "use strict";
  var node = document.getElementById("swagger-ui");
  if (!node || typeof SwaggerUIBundle === "undefined") {
    return;
  }
  SwaggerUIBundle({
    url: node.dataset.schemaUrl,
    domNode: node,
    deepLinking: false,
    // Trying calls needs a token; the page is for reading.
    supportedSubmitMethods: [],
    validatorUrl: null,
  });
})();
