// Operator's family-doctor package editor (family_doctor/admin.html).
(function () {
  const form = document.getElementById("fd-form");
  const message = document.getElementById("fd-message");
  document.querySelectorAll("[data-edit]").forEach((b) => b.onclick = () => {
    const p = JSON.parse(b.dataset.edit);
    Object.entries(p).forEach(([k, v]) => { if (form[k] && form[k].type !== "checkbox") form[k].value = v; });
    form.price.value = (p.price_cents / 100).toFixed(2);
    form.active.checked = p.active;
    document.getElementById("fd-form-title").textContent = "编辑服务包 " + p.code;
  });
  form.addEventListener("submit", async (e) => {
    e.preventDefault();
    const body = { code: form.code.value, name: form.name.value, description: form.description.value,
      price_cents: Math.round(Number(form.price.value) * 100), period_days: Number(form.period_days.value),
      included_consultations: Number(form.included_consultations.value), response_minutes: Number(form.response_minutes.value),
      members_covered: Number(form.members_covered.value), active: form.active.checked };
    const id = form.id.value;
    try {
      await HH.api(id ? "PUT" : "POST", "/api/v1/family-doctor/admin/packages" + (id ? "/" + id : ""), body);
      location.reload();
    } catch (err) { message.className = "alert"; message.textContent = err.message; }
  });
})();
