// Merci Studio: hand the previewed variant's messages to the website widget's own script
// (web/merci-widget.js, loaded with data-preview), which renders them as consumers see them.
(function () {
  "use strict";
  var shown = "preview-0";

  function show(id) {
    var container = document.getElementById(id);
    var data = container && container.querySelector("script.widget-messages");
    if (!data || !window.merciWidgetPreview) return;
    shown = id;
    window.merciWidgetPreview(JSON.parse(data.textContent));
  }

  document.addEventListener("merci-widget-preview-ready", function () { show(shown); });
  document.addEventListener("htmx:afterSettle", function (event) {
    var target = event.detail && event.detail.target;
    if (target && target.id && target.id.indexOf("preview-") === 0) show(target.id);
  });
  document.addEventListener("focusin", function (event) {
    var variant = event.target && event.target.closest && event.target.closest(".variant[id]");
    if (variant) show("preview-" + variant.id.slice("variant-".length));
  });
})();
