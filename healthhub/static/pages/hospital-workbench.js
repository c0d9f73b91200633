// Doctor's workbench (hospital/workbench.html): go online, accept from the queue, chat, diagnose, end or terminate.
(function () {
  const API = HHChat.API;
  const reauth = document.getElementById("reauth-form");
  if (reauth) reauth.onsubmit = async (event) => {
    event.preventDefault();
    try {
      await HH.api("POST", `${API}/doctor/online`, { method: reauth.method.value, secret: reauth.secret.value });
      location.reload();
    } catch (err) { document.getElementById("reauth-error").textContent = err.message; }
  };
  const offline = document.getElementById("go-offline");
  if (offline) offline.onclick = async () => { await HH.api("POST", `${API}/doctor/offline`); location.reload(); };
  const refresh = document.getElementById("refresh-queue");
  if (refresh) refresh.onclick = () => location.reload();

  let current = null;
  let stream = null;
  const error = document.getElementById("consult-error");
  async function open(id) {
    current = await HH.api("GET", `${API}/consultations/${id}`);
    const card = document.getElementById("consultation-card");
    card.hidden = false;
    const p = current.patient;
    document.getElementById("consultation-title").textContent = `${p.name} · ${current.department}`;
    document.getElementById("patient-facts").textContent =
      `${p.sex === "M" ? "男" : "女"}，${p.age_text}${p.weight_kg ? "，" + p.weight_kg + "kg" : ""}；过敏：${p.allergies.join("、") || "无"}；慢病：${p.conditions.join("、") || "无"}${p.pregnant ? "；妊娠" : ""}${p.lactating ? "；哺乳" : ""}` +
      (current.record ? `；复诊依据：${current.record.diagnosis}（${current.record.icd10}）` : "");
    document.getElementById("under6-box").hidden = !current.under6;
    document.getElementById("guardian-state").textContent = current.guardian_present ? "已确认" : "未确认";
    document.getElementById("prescribe-link").href = `/doctor/consultations/${id}/prescribe`;
    const chat = document.querySelector("[data-chat]");
    chat.hidden = false;
    if (stream) stream.close();
    stream = HHChat.openChat(chat, id, "doctor", (s) => { if (s.status !== "in_progress") location.reload(); });
  }
  document.querySelectorAll("[data-accept]").forEach((button) => {
    button.onclick = async () => {
      try {
        await HH.api("POST", `${API}/consultations/${button.dataset.accept}/accept`);
        button.closest(".queue-item").remove();
        await open(button.dataset.accept);
      } catch (err) { alert(err.message); }
    };
  });
  document.querySelectorAll("[data-open]").forEach((b) => { b.onclick = () => open(b.dataset.open); });
  const dx = document.getElementById("diagnosis-form");
  dx.onsubmit = async (event) => {
    event.preventDefault();
    error.textContent = "";
    try {
      await HH.api("POST", `${API}/consultations/${current.id}/diagnosis`, {
        diagnoses: [{ code: dx.code.value, name: dx.name.value }], advice: dx.advice.value, emergency: dx.emergency.checked });
      error.textContent = "";
      dx.querySelector("button[type=submit]").textContent = "诊断已保存";
    } catch (err) { error.textContent = err.message; }
  };
  document.getElementById("end-consult").onclick = async () => {
    try { await HH.api("POST", `${API}/consultations/${current.id}/end`); location.reload(); }
    catch (err) { error.textContent = err.message; }
  };
  document.getElementById("doctor-present").onclick = async (event) => {
    await HH.api("POST", `${API}/consultations/${current.id}/doctor-present`);
    event.target.replaceWith("医生已确认在场");
  };
  const term = document.getElementById("terminate-form");
  term.onsubmit = async (event) => {
    event.preventDefault();
    try {
      await HH.api("POST", `${API}/consultations/${current.id}/terminate`, { reason: term.reason.value, note: term.note.value });
      location.reload();
    } catch (err) { error.textContent = err.message; }
  };
})();
