// Stock page: receipts and write-offs go through the API with an Idempotency-Key per attempt,
// so a double click or a retried request never books goods twice.
(function () {
  const form = document.getElementById("receipt-form");
  if (form) {
    let key = HH.newIdempotencyKey();
    form.addEventListener("input", () => { key = HH.newIdempotencyKey(); });
    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      const data = new FormData(form);
      const result = document.getElementById("receipt-result");
      const body = {
        location_id: form.dataset.location, product_id: String(data.get("product_id")).trim().toLowerCase(),
        batch_no: data.get("batch_no"), expiry_date: data.get("expiry_date"), quantity: Number(data.get("quantity")),
        unit_cost_cents: Math.round(Number(data.get("unit_cost")) * 100),
      };
      try {
        const done = await HH.api("POST", "/api/v1/inventory/receipts", body, { "Idempotency-Key": key });
        result.className = "success";
        result.textContent = `已入库：${done.batch.product_name} 批号 ${done.batch.batch_no}，现有 ${done.batch.on_hand} 件`;
        setTimeout(() => window.location.reload(), 800);
      } catch (error) {
        result.className = "alert";
        result.textContent = error.message;
      }
    });
  }
  document.querySelectorAll("[data-write-off]").forEach((button) => {
    button.addEventListener("click", async () => {
      const quantity = Number(prompt(`报损数量（最多 ${button.dataset.max} 件）`, "1"));
      if (!quantity) return;
      const reason = prompt("报损原因（如：破损、临期）", "破损");
      if (!reason) return;
      try {
        await HH.api("POST", "/api/v1/inventory/write-offs",
          { batch_id: button.dataset.writeOff, quantity, reason }, { "Idempotency-Key": HH.newIdempotencyKey() });
        window.location.reload();
      } catch (error) {
        alert(error.message);
      }
    });
  });
})();
