// Catalogue and storefront pages: add to cart (the cart API belongs to orders), operator re-import, and
// the shopper's location for the "附近有货" filter.
(function () {
  const say = (el, text, ok) => { if (el) { el.textContent = text; el.className = ok ? "success" : "alert"; } };

  // Every buy block ([data-buy]) has a quantity, a button and a message; an Rx button names the approved
  // prescription it buys with, which the cart keeps for checkout.
  document.querySelectorAll("[data-buy]").forEach((block) => {
    const button = block.querySelector("button[data-product-id]");
    const message = block.querySelector(".cart-message");
    button.addEventListener("click", async () => {
      const quantity = parseInt(block.querySelector(".quantity").value, 10) || 1;
      const body = { product_id: button.dataset.productId, quantity };
      if (button.dataset.prescriptionId) body.prescription_id = button.dataset.prescriptionId;
      button.disabled = true;
      try {
        await HH.api("POST", "/api/v1/cart/items", body);
        say(message, "已加入购物车", true);
      } catch (error) {
        say(message, error.message, false);
      } finally {
        button.disabled = false;
      }
    });
  });

  const importButton = document.getElementById("run-import");
  if (importButton) {
    importButton.addEventListener("click", async () => {
      importButton.disabled = true;
      try {
        const report = await HH.api("POST", "/api/v1/catalog/imports");
        say(document.getElementById("import-message"), `导入完成：新增 ${report.counts.created}，更新 ${report.counts.updated}，拒绝 ${report.counts.rejected}`, true);
        setTimeout(() => location.reload(), 800);
      } catch (error) {
        say(document.getElementById("import-message"), error.message, false);
        importButton.disabled = false;
      }
    });
  }

  const near = document.querySelector('[data-testid="filter-near"]');
  const form = document.getElementById("shop-search");
  if (near && form && navigator.geolocation) {
    near.addEventListener("change", () => {
      if (!near.checked) return;
      navigator.geolocation.getCurrentPosition((pos) => {
        form.elements.lat.value = pos.coords.latitude.toFixed(5);
        form.elements.lng.value = pos.coords.longitude.toFixed(5);
      }, () => {}, { timeout: 3000 });
    });
  }
})();
