// Patient's online follow-up consultation page (hospital/consult.html): pick a family member and record, triage, queue, chat.
(function () {
  const family = JSON.parse(document.getElementById("family-data").textContent);
  const form = document.getElementById("consult-form");
  if (!form) return;
  const API = HHChat.API;
  const labels = { waiting: "排队等待医生接诊", in_progress: "医生已接诊，问诊进行中", completed: "问诊已结束",
                   terminated: "医生已终止线上问诊，请尽快线下就诊", cancelled: "已取消" };
  const active = JSON.parse(document.getElementById("active-data").textContent);
  // Live counts per department (service_directory.department_availability), read when the page was served.
  const availability = JSON.parse(document.getElementById("availability-data").textContent);
  const departments = Object.fromEntries(availability.departments.map((d) => [d.department_id, d]));
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

  function waitText(d) {
    return d.expected_wait_minutes ? `预计等待约 ${d.expected_wait_minutes} 分钟` : "预计很快接诊";
  }

  function line(text, attrs) {
    const p = document.createElement("p");
    p.textContent = text;
    Object.entries(attrs || {}).forEach(([k, v]) => p.setAttribute(k, v));
    return p;
  }

  // What happens to a request nobody of its department can take: the sweep escalates it to the whole centre.
  function nextStep(d, escalated) {
    const online = d.centre_online_doctors;
    if (escalated) return `已转派${d.centre}中心的全部医生（现有 ${online} 位在线），请稍候。`;
    const after = `排队超过 ${availability.escalationMinutes} 分钟无人接诊，将转派${d.centre}中心的全部医生`;
    return online ? `${after}（现有 ${online} 位在线）。`
      : `${after}，但该中心目前也没有医生在线：请求会继续排队，有医生上线即可接诊。急症请立即前往医院急诊。`;
  }

  // Who can take a request of this department now; when nobody can, say so, say what happens next
  // (escalation to the centre after the timeout) and offer the nearest department with doctors online.
  function showAvailability(box, departmentId, { queued, escalated, choose, chooseLabel }) {
    box.replaceChildren();
    const d = departments[departmentId];
    if (!d) return;
    if (d.online_doctors) {
      box.className = "muted";
      box.append(line(`${d.department}：在线医生 ${d.online_doctors} 位，排队 ${d.waiting} 人` + (queued ? "" : `，${waitText(d)}`)));
      return;
    }
    box.className = "notice";
    box.append(line(`${d.department}目前没有医生在线，${queued ? "您的问诊暂时无人接诊" : "提交后暂时无人接诊"}。`,
                    { "data-testid": "no-doctor-notice" }));
    box.append(line(nextStep(d, escalated)));
    const alternative = departments[d.alternative_id];
    if (!alternative) return;
    const offer = line(`可改选就近有医生在线的科室：${alternative.department}（在线医生 ${alternative.online_doctors} 位，` +
                       `${waitText(alternative)}）`, { "data-testid": "department-alternative" });
    const button = document.createElement("button");
    button.type = "button";
    button.textContent = chooseLabel;
    button.dataset.testid = "choose-alternative";
    button.onclick = () => choose(alternative.department_id);
    offer.append(" ", button);
    box.append(offer);
  }

  function onlineText(departmentName) {
    const d = availability.departments.find((x) => x.department === departmentName);
    return d && d.online_doctors ? `在线医生 ${d.online_doctors} 位` : "暂无医生在线";
  }

  const formAvailability = document.getElementById("department-availability");
  function showFormAvailability() {
    showAvailability(formAvailability, form.department_id.value, {
      queued: false, chooseLabel: "改选该科室",
      choose: (id) => { form.department_id.value = id; showFormAvailability(); } });
  }
  form.department_id.onchange = showFormAvailability;
  showFormAvailability();

  function showStatus(data) {
    const badge = document.querySelector("[data-testid=consult-status]");
    badge.textContent = labels[data.status] || data.status;
    badge.dataset.status = data.status;
    document.getElementById("cancel-consult").hidden = data.status !== "waiting";
    const box = document.getElementById("status-availability");
    if (data.status !== "waiting") { box.replaceChildren(); return; }
    showAvailability(box, current.department_id, { queued: true, escalated: current.escalated, chooseLabel: "取消排队并改选该科室",
                                                    choose: moveTo });
  }

  // The queue has no "change department": withdraw the request and refill the form for the new one.
  async function moveTo(departmentId) {
    await HH.api("POST", `${API}/consultations/${current.id}/cancel`);
    form.patient_id.value = current.patient_id;
    fillRecords();
    if (current.record_id) form.record_id.value = current.record_id;
    form.complaint.value = current.complaint;
    form.department_id.value = departmentId;
    showFormAvailability();
    if (stream) stream.close();
    document.getElementById("status-card").hidden = true;
    document.querySelector("[data-chat]").hidden = true;
    document.getElementById("consult-error").textContent = "已取消原排队，请确认科室后重新提交。";
    form.scrollIntoView();
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
    out.textContent = ranked.length ? "推荐：" + ranked.slice(0, 3).map((r) => `${r.department}（${Math.round(r.score * 100)}%，${onlineText(r.department)}）`).join("、") : "没有找到匹配的科室，请手动选择";
    const best = ranked[0] && Array.from(form.department_id.options).find((o) => o.text === ranked[0].department);
    if (best) form.department_id.value = best.value;
    showFormAvailability();
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
