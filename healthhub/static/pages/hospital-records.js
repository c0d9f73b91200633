// Family health records (hospital/records.html): profiles, chronic conditions, visit records, consent, sealing.
(function () {
  const API = HHChat.API;
  const error = document.getElementById("records-error");
  const run = async (fn) => { error.textContent = ""; try { await fn(); location.reload(); } catch (err) { error.textContent = err.message; } };
  const rowTemplate = document.getElementById("condition-row-template");
  const filledRows = (f) => [...f.querySelectorAll("[data-condition-row]")].filter(
    (r) => r.querySelector("[name=condition_code]").value.trim() || r.querySelector("[name=condition_name]").value.trim());
  // The body of PUT /patients/{id}/health (and of a new profile's "health").
  function readHealth(f) {
    return { weight_kg: f.weight_kg.value ? Number(f.weight_kg.value) : null,
             allergies: f.allergies.value.split(/[,，、]/).map((s) => s.trim()).filter(Boolean),
             conditions: filledRows(f).map((r) => ({ code: r.querySelector("[name=condition_code]").value.trim(),
                                                    name: r.querySelector("[name=condition_name]").value.trim() })),
             pregnant: !!(f.pregnant && f.pregnant.checked), lactating: !!(f.lactating && f.lactating.checked) };
  }
  const FIELD_NAMES = { weight_kg: "体重", allergies: "过敏药物", pregnant: "妊娠期", lactating: "哺乳期" };
  // Problem details name the field (e.g. "conditions[1].code"): mark that input and say which row it is.
  function showFieldErrors(f, err) {
    const list = f.querySelector("[data-field-errors]");
    list.innerHTML = "";
    f.querySelectorAll("[aria-invalid]").forEach((n) => n.removeAttribute("aria-invalid"));
    const found = (err.problem && err.problem.errors) || [{ field: "", message: err.message }];
    const rows = filledRows(f);
    found.forEach((e) => {
      const m = /^(?:health\.)?conditions\[(\d+)\]\.(code|name)$/.exec(e.field || "");
      let label = FIELD_NAMES[(e.field || "").replace(/^health\./, "")] || e.field || "";
      if (m && rows[Number(m[1])]) {
        rows[Number(m[1])].querySelector(`[name=condition_${m[2]}]`).setAttribute("aria-invalid", "true");
        label = `第${Number(m[1]) + 1}条慢病的${m[2] === "code" ? "ICD-10 编码" : "名称"}`;
      }
      const item = document.createElement("li");
      item.dataset.field = e.field || "";
      item.textContent = label ? `${label}：${e.message}` : e.message;
      list.appendChild(item);
    });
  }
  document.querySelectorAll("[data-conditions]").forEach((box) => {
    box.addEventListener("click", (event) => {
      if (event.target.matches("[data-add-condition]")) {
        box.querySelector("[data-condition-rows]").appendChild(rowTemplate.content.cloneNode(true));
      } else if (event.target.matches("[data-remove-condition]")) {
        event.target.closest("[data-condition-row]").remove();
      }
    });
  });
  const save = async (f, call) => {
    try { await call(); location.reload(); } catch (err) { showFieldErrors(f, err); }
  };
  document.getElementById("patient-form").onsubmit = (event) => {
    event.preventDefault();
    const f = event.target;
    save(f, () => HH.api("POST", `${API}/patients`, {
      relationship: f.relationship.value, name: f.name.value, id_number: f.id_number.value,
      guardian_relationship: f.guardian_relationship.value || null, health: readHealth(f) }));
  };
  document.querySelectorAll(".health-form").forEach((f) => {
    f.onsubmit = (event) => {
      event.preventDefault();
      save(f, () => HH.api("PUT", `${API}/patients/${f.dataset.patient}/health`, readHealth(f)));
    };
  });
  document.querySelectorAll(".record-form").forEach((f) => {
    f.onsubmit = (event) => {
      event.preventDefault();
      run(async () => HH.api("POST", `${API}/patients/${f.dataset.patient}/records`, {
        record_type: f.record_type.value, institution: f.institution.value, visit_date: f.visit_date.value,
        diagnosis_code: f.diagnosis_code.value, diagnosis_text: f.diagnosis_text.value,
        image_base64: f.image.files[0] ? await HHChat.readAsBase64(f.image.files[0]) : null }));
    };
  });
  document.querySelectorAll("[data-consent]").forEach((b) => { b.onclick = () => run(() => HH.api("POST", `${API}/patients/${b.dataset.consent}/consent`)); });
  document.querySelectorAll("[data-withdraw]").forEach((b) => { b.onclick = () => run(() => HH.api("POST", `${API}/patients/${b.dataset.withdraw}/consent/withdraw`)); });
  document.querySelectorAll("[data-seal]").forEach((b) => {
    b.onclick = () => {
      const reason = prompt("申请删除后资料将被封存（依法保存，不再显示）。请填写原因：", "不再使用");
      if (reason !== null) run(() => HH.api("POST", `${API}/patients/${b.dataset.seal}/seal`, { reason }));
    };
  });
})();
