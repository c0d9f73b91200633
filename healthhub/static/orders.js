// Shop pages: cart, checkout, order tracking, operator actions and pharmacist review.
// Every write goes through HH.api (CSRF header); money and stock writes carry an Idempotency-Key
// created once per page action, so a double click or a retry never places or pays twice.
(function () {
  const $ = (sel, root) => (root || document).querySelector(sel);
  const $$ = (sel, root) => Array.from((root || document).querySelectorAll(sel));
  const money = (cents) => "¥" + (cents / 100).toFixed(2);
  const esc = (text) => String(text == null ? "" : text).replace(/[&<>"']/g,
    (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" }[c]));

  function showError(box, error) {
    if (!box) { alert(error.message); return; }
    box.textContent = error.message;
    box.hidden = false;
  }

  function initCart() {
    const box = $("#cart-error");
    $$("[data-testid=cart-line]").forEach((row) => {
      const id = row.dataset.product;
      $(".qty", row).addEventListener("change", async (e) => {
        try { await HH.api("PUT", `/api/v1/cart/items/${id}`, { quantity: Number(e.target.value) }); location.reload(); }
        catch (err) { showError(box, err); }
      });
      $(".remove", row).addEventListener("click", async () => {
        try { await HH.api("DELETE", `/api/v1/cart/items/${id}`); location.reload(); }
        catch (err) { showError(box, err); }
      });
    });
  }

  function renderPlan(plan) {
    return plan.shipments.map((s, i) => `
      <div class="card" data-testid="planned-shipment">
        <h3>包裹 ${i + 1} · <span data-testid="plan-channel">${esc(s.channel_label)}</span> · ${esc(s.location_name)}</h3>
        <p>预计送达：<strong data-testid="plan-eta">${esc(s.eta_text)}</strong></p>
        <p class="muted" data-testid="plan-reason">${esc(s.reason_zh)}</p>
        <ul>${s.lines.map((l) => `<li>${esc(l.name)} × ${l.quantity}</li>`).join("")}</ul>
      </div>`).join("");
  }

  async function uploadPrescription(file) {
    const form = new FormData();
    form.append("file", file);
    const response = await fetch("/api/v1/rx-uploads", { method: "POST", body: form, credentials: "same-origin",
      headers: { "X-CSRF-Token": HH.csrf(), "Accept": "application/json" } });
    const data = await response.json();
    if (!response.ok) throw new Error(data.detail || data.title);
    return data;
  }

  function removeLine(productId) {
    return HH.api("DELETE", `/api/v1/cart/items/${productId}`).then(() => location.reload());
  }

  // A line the plan could not take (stock, delivery) is listed with its reason next to those the cart
  // already refused; the order is placed for the planned lines only.
  function renderBlocked(blocked, box) {
    const list = $("#blocked-list");
    $$("[data-testid=blocked-line][data-planned]", list).forEach((row) => row.remove());
    const shown = new Set($$("[data-testid=blocked-line]", list).map((row) => row.dataset.product));
    blocked.filter((b) => !shown.has(b.product_id)).forEach((b) => {
      const row = document.createElement("li");
      row.dataset.testid = "blocked-line";
      row.dataset.product = b.product_id;
      row.dataset.planned = "1";
      row.innerHTML = `<strong>${esc(b.name)}</strong> × ${b.quantity}：<span data-testid="blocked-reason">${esc(b.reason)}</span>
        <button type="button" class="link remove-blocked">删除</button>`;
      list.appendChild(row);
    });
    $$(".remove-blocked", list).forEach((button) => { button.onclick = () =>
      removeLine(button.closest("li").dataset.product).catch((err) => showError(box, err)); });
    $("#blocked-section").hidden = !$$("[data-testid=blocked-line]", list).length;
  }

  function initCheckout(items) {
    const box = $("#checkout-error");
    const place = $("#place-order");
    const orderKey = HH.newIdempotencyKey();
    let rxRequired = false;
    let orderItems = [];
    renderBlocked([], box);
    if (!place) return;

    // Only a prescription that covers this order's Rx lines is selected for the buyer; otherwise they choose.
    async function refresh(choose) {
      const address = $("#address");
      if (!address) { $("#plan").innerHTML = '<p class="empty">请先添加收货地址。</p>'; return; }
      box.hidden = true;
      try {
        const plan = await HH.api("POST", "/api/v1/checkout/preview", { address_id: address.value, items });
        orderItems = plan.lines.map((l) => ({ product_id: l.product_id, quantity: l.quantity }));
        renderBlocked(plan.blocked, box);
        $("#plan").innerHTML = orderItems.length ? renderPlan(plan)
          : '<p class="empty">没有可以下单的商品，请先处理上面列出的商品。</p>';
        $("#total").textContent = money(plan.total_cents);
        rxRequired = plan.rx_required;
        $("#rx-section").hidden = !rxRequired;
        if (rxRequired) {
          $("#rx-drugs").textContent = plan.rx_drugs.join("、");
          const key = (o) => `${o.source}:${o.ref}`;
          $("#rx-choice").innerHTML = (plan.rx_options.length ? '<option value="">请选择处方</option>'
            : '<option value="">没有可用的处方，请上传处方图片</option>') + plan.rx_options.map((o) =>
            `<option value="${key(o)}">${esc(o.label)} ${esc(o.drugs.join("、"))}${o.covers ? "" : "（未覆盖本单全部处方药）"}</option>`).join("");
          const wanted = choose || (plan.rx_preselected && key(plan.rx_preselected)) || "";
          if (plan.rx_options.some((o) => key(o) === wanted)) $("#rx-choice").value = wanted;
        }
        place.disabled = !orderItems.length;
      } catch (err) {
        $("#plan").innerHTML = "";
        place.disabled = true;
        showError(box, err);
      }
    }

    $("#address")?.addEventListener("change", () => refresh());
    $("#address-form").addEventListener("submit", async (e) => {
      e.preventDefault();
      const data = Object.fromEntries(new FormData(e.target));
      data.is_default = true;
      try { await HH.api("POST", "/api/v1/addresses", data); location.reload(); } catch (err) { showError(box, err); }
    });
    $("#rx-upload").addEventListener("click", async () => {
      const file = $("#rx-file").files[0];
      if (!file) { showError(box, new Error("请选择处方图片")); return; }
      try { const upload = await uploadPrescription(file); await refresh(`upload:${upload.id}`); }
      catch (err) { showError(box, err); }
    });
    place.addEventListener("click", async () => {
      const body = { address_id: $("#address").value, items: orderItems };
      if (rxRequired && $("#rx-choice").value) {
        const [source, ref] = $("#rx-choice").value.split(":");
        body.rx = { source, ref };
      }
      if (rxRequired) body.rx_risk_acknowledged = $("#rx-risk-ack").checked;
      place.disabled = true;
      try {
        const order = await HH.api("POST", "/api/v1/orders", body, { "Idempotency-Key": orderKey });
        location.href = `/orders/${order.id}`;
      } catch (err) { place.disabled = false; showError(box, err); }
    });
    refresh();
  }

  function initUploads() {
    const box = $("#upload-error");
    $("#rx-upload-form").addEventListener("submit", async (e) => {
      e.preventDefault();
      const submit = $("button[type=submit]", e.target);
      submit.disabled = true;
      try { await uploadPrescription(e.target.elements.file.files[0]); location.reload(); }
      catch (err) { submit.disabled = false; showError(box, err); }
    });
  }

  function initOrder(orderId, paymentPending) {
    const box = $("#order-error");
    const act = (selector, run) => $$(selector).forEach((button) => button.addEventListener("click", async () => {
      button.disabled = true;
      try { await run(button); location.reload(); } catch (err) { button.disabled = false; showError(box, err); }
    }));
    const payKey = HH.newIdempotencyKey();
    $("#pay")?.addEventListener("click", async (e) => {
      e.target.disabled = true;
      try {
        const payment = await HH.api("POST", `/api/v1/orders/${orderId}/payments`, { provider: "sandbox" },
          { "Idempotency-Key": payKey });
        location.href = payment.redirect_url;
      } catch (err) { e.target.disabled = false; showError(box, err); }
    });
    act("#cancel", () => {
      const reason = prompt("取消原因", "不想要了");
      if (!reason) throw new Error("已放弃取消");
      return HH.api("POST", `/api/v1/orders/${orderId}/cancel`, { reason }, { "Idempotency-Key": HH.newIdempotencyKey() });
    });
    act("#refund", () => {
      const reason = prompt("退货退款原因", "顾客退货");
      if (!reason) throw new Error("已放弃退款");
      return HH.api("POST", `/api/v1/orders/${orderId}/refund`, { reason }, { "Idempotency-Key": HH.newIdempotencyKey() });
    });
    act("#complete", () => HH.api("POST", `/api/v1/orders/${orderId}/complete`));
    act(".dispatch", (b) => HH.api("POST", `/api/v1/orders/${orderId}/shipments/${b.dataset.shipment}/dispatch`,
      { tracking_no: "SF" + Date.now() }));
    act(".deliver", (b) => HH.api("POST", `/api/v1/orders/${orderId}/shipments/${b.dataset.shipment}/deliver`));
    if (paymentPending) {
      // The provider confirms asynchronously: poll until the signed callback has moved the order on.
      let tries = 0;
      const timer = setInterval(async () => {
        tries += 1;
        const order = await HH.api("GET", `/api/v1/orders/${orderId}`);
        if (order.status !== "pending_payment" || order.payments.every((p) => p.status !== "pending") || tries > 60) {
          clearInterval(timer);
          location.reload();
        }
      }, 1000);
    }
  }

  function initReview(uploadId) {
    const box = $("#review-error");
    $("#approve-form")?.addEventListener("submit", async (e) => {
      e.preventDefault();
      const rows = $$("#rx-items tbody tr").map((tr) => ({
        knowledge_key: $("[name=knowledge_key]", tr).value.trim(), drug_name: $("[name=drug_name]", tr).value.trim(),
        quantity: Number($("[name=quantity]", tr).value) }));
      const form = new FormData(e.target);
      try {
        await HH.api("POST", `/api/v1/rx-uploads/${uploadId}/approve`,
          { issued_on: form.get("issued_on"), valid_until: form.get("valid_until"), items: rows });
        location.reload();
      } catch (err) { showError(box, err); }
    });
    $("#reject-form")?.addEventListener("submit", async (e) => {
      e.preventDefault();
      try {
        await HH.api("POST", `/api/v1/rx-uploads/${uploadId}/reject`, { reason: new FormData(e.target).get("reason") });
        location.reload();
      } catch (err) { showError(box, err); }
    });
  }

  window.HHOrders = { initCart, initCheckout, initOrder, initReview, initUploads };
})();
