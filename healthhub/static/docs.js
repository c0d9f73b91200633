// Interactive API docs (/docs): starts Swagger UI, whose assets come from the swagger-ui-bundle package
// (/static/swagger-ui/), here rather than inline because the Content-Security-Policy refuses inline script.
window.addEventListener("DOMContentLoaded", () => {
  window.ui = SwaggerUIBundle({
    url: document.body.dataset.openapiUrl,
    dom_id: "#swagger-ui",
    layout: "BaseLayout",
    deepLinking: true,
    presets: [SwaggerUIBundle.presets.apis],
  });
});
