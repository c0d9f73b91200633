// Family-doctor packages for patients (family_doctor/index.html): subscribe, pay on the provider's page, renew.
(function () {
  const message = document.getElementById("fd-message");
  const fail = (err) => { message.className = "alert"; message.textContent = err.message; };
  const call = (url, body) => HH.api("POST", url, body, { "Idempotency-Key": HH.newIdempotencyKey() });
  document.querySelectorAll("form[data-subscribe]").forEach((form) => form.addEventListener("submit", async (e) => {
    e.preventDefault();
    const members = [...form.querySelectorAll("[name=member]:checked")].map((c) => c.value);
    const body = { package_id: form.dataset.subscribe, member_patient_ids: members };
    try { await call("/api/v1/family-doctor/subscriptions", body); location.reload(); }
    catch (err) { fail(err); }
  }));
  document.querySelectorAll("[data-pay]").forEach((b) => b.onclick = async () => {
    try {
      const payment = await call("/api/v1/family-doctor/purchases/" + b.dataset.pay + "/payments", { provider: "sandbox" });
      location.href = payment.redirect_url;
    } catch (err) { fail(err); }
  });
  document.querySelectorAll("[data-renew]").forEach((b) => b.onclick = async () => {
    try { await call("/api/v1/family-doctor/subscriptions/" + b.dataset.renew + "/renew"); location.reload(); } catch (err) { fail(err); }
  });
})();
