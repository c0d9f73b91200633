// Patient's online follow-up consultation page (hospital/consult.html): pick a family member and record, triage, queue, chat.
(function () {
  const family = JSON.parse(document.getElementById("family-data").textContent);
  const form = document.getElementById("consult-form");
  if (!form) return;
  const API = HHChat.API;
  const labels = { waiting: "排队等待医生接诊", in_progress: "医生已接诊，问诊进行中", completed: "问诊已结束",
                   terminated: "医生已终止线上问诊，请尽快线下就诊", cancelled: "已取消" };
  const active = JSON.parse(document.getElementById("active-data").textContent);
  let current = null;
  let stream = null;

  function fillRecords() {
    const person = family.find((p) => p.id === form.patient_id.value);
    form.record_id.innerHTML = "";
    (person ? person.records : []).forEach((r) => {
      form.record_id.appendChild(new Option(`${r.record_type} · ${r.institution} · ${r.date} · ${r.summary}（${r.diagnoses[0].code}）`, r.id));
    });
    document.getElementById("no-record").hidden = !!form.record_id.options.length;
    form.consent.checked = !!(person && person.consent_given);
  }
  form.patient_id.onchange = fillRecords;
  fillRecords();

  function showStatus(data) {
    const badge = document.querySelector("[data-testid=consult-status]");
    badge.textContent = labels[data.status] || data.status;
    badge.dataset.status = data.status;
    document.getElementById("cancel-consult").hidden = data.status !== "waiting";
  }

  function showActive(consultation) {
    current = consultation;
    document.getElementById("status-card").hidden = false;
    document.getElementById("under6-box").hidden = !consultation.under6;
    document.getElementById("status-text").textContent = `${consultation.department} · ${consultation.complaint}`;
    showStatus(consultation);
    const chat = document.querySelector("[data-chat]");
    chat.hidden = false;
    if (stream) stream.close();
    stream = HHChat.openChat(chat, consultation.id, "patient", showStatus);
  }

  document.getElementById("suggest").onclick = async () => {
    const out = document.getElementById("suggestions");
    const ranked = await HH.api("GET", `${API}/triage?text=${encodeURIComponent(form.complaint.value)}`);
    out.textContent = ranked.length ? "推荐：" + ranked.slice(0, 3).map((r) => `${r.department}（${Math.round(r.score * 100)}%）`).join("、") : "没有找到匹配的科室，请手动选择";
    const best = ranked[0] && Array.from(form.department_id.options).find((o) => o.text === ranked[0].department);
    if (best) form.department_id.value = best.value;
  };

  form.onsubmit = async (event) => {
    event.preventDefault();
    const error = document.getElementById("consult-error");
    error.textContent = "";
    try {
      const person = family.find((p) => p.id === form.patient_id.value);
      if (!person.consent_given) {
        if (!form.consent.checked) throw new Error("请先勾选单独同意健康数据处理（DP-02）");
        await HH.api("POST", `${API}/patients/${person.id}/consent`);
        person.consent_given = true;
      }
      showActive(await HH.api("POST", `${API}/consultations`, {
        patient_id: form.patient_id.value, department_id: form.department_id.value,
        complaint: form.complaint.value, record_id: form.record_id.value || null }));
    } catch (err) { error.textContent = err.message; }
  };

  document.getElementById("cancel-consult").onclick = async () => {
    await HH.api("POST", `${API}/consultations/${current.id}/cancel`);
    location.reload();
  };
  document.getElementById("guardian-present").onclick = async (event) => {
    await HH.api("POST", `${API}/consultations/${current.id}/guardian-present`);
    event.target.replaceWith("监护人已确认在场");
  };
  document.querySelectorAll("[data-open-active]").forEach((b) => { b.onclick = () => showActive(active[Number(b.dataset.openActive)]); });
})();
