// Prescribe page and the doctor's prescription list. Rules are checked on the server (/check);
// this file only collects the form and shows what the server says.
(function () {
  const API = "/api/v1/prescriptions";
  const $ = (sel) => document.querySelector(sel);

  function el(tag, attrs, children) {
    const node = document.createElement(tag);
    Object.entries(attrs || {}).forEach(([k, v]) => {
      if (k === "text") node.textContent = v; else node.setAttribute(k, v);
    });
    (children || []).forEach((c) => node.appendChild(c));
    return node;
  }

  // Names a person at the form uses for the fields a 422 names ("items[0].dose", "diagnoses[1].code").
  const ITEM_FIELDS = { name: "药品", dose: "单次剂量", unit: "单位", frequency: "频次", route: "途径", days: "天数",
                        quantity: "数量（盒）", note: "备注" };
  const DIAGNOSIS_FIELDS = { code: "ICD-10 编码", name: "诊断名称" };
  const FORM_FIELDS = { validity_days: "有效期", extended_reason: "超量/长期用药理由", items: "药品", diagnoses: "临床诊断",
                        consultation_id: "问诊" };

  function fieldLabel(field, body) {
    const line = /^(items|diagnoses)\[(\d+)\]\.(\w+)$/.exec(field || "");
    if (!line) return FORM_FIELDS[field] || "";
    const [, list, index, name] = line;
    if (list === "diagnoses") return "第 " + (Number(index) + 1) + " 条诊断的" + (DIAGNOSIS_FIELDS[name] || name);
    const item = body.items[Number(index)];
    return (item ? item.name : "第 " + (Number(index) + 1) + " 种药品") + "的" + (ITEM_FIELDS[name] || name);
  }

  function select(options, value, label) {
    const node = el("select", { "aria-label": label });
    options.forEach(([v, text]) => {
      const opt = el("option", { value: v, text: text });
      if (String(v) === String(value)) opt.selected = true;
      node.appendChild(opt);
    });
    return node;
  }

  function initPrescribe(cfg) {
    const items = $("#rx-items");
    const diagnoses = $("#rx-diagnoses");
    let draftId = cfg.draft ? cfg.draft.id : null;
    let timer = null;
    let signing = false;

    function addDiagnosis(d) {
      const row = el("div", { class: "diagnosis" }, [
        el("input", { name: "code", placeholder: "ICD-10，如 I10", value: d.code || "", "aria-label": "诊断编码", size: "8" }),
        el("input", { name: "name", placeholder: "诊断名称", value: d.name || "", "aria-label": "诊断名称" }),
      ]);
      const remove = el("button", { type: "button", text: "删除" });
      remove.onclick = () => { row.remove(); scheduleCheck(); };
      row.appendChild(remove);
      diagnoses.appendChild(row);
    }

    function addItem(item) {
      const row = el("tr", { "data-testid": "rx-item" });
      row.dataset.name = item.name;
      const freq = Object.entries(cfg.frequencies).map(([code, [label]]) => [code, label]);
      const cells = [
        el("span", { text: item.name }),
        el("input", { name: "dose", type: "number", min: "0", step: "any", value: item.dose || "", "aria-label": "单次剂量", size: "6" }),
        select(cfg.units.map((u) => [u, u]), item.unit || "mg", "单位"),
        select(freq, item.frequency || "qd", "频次"),
        select(cfg.routes.map((r) => [r, r]), item.route || "口服", "途径"),
        el("input", { name: "days", type: "number", min: "1", value: item.days || 7, "aria-label": "天数", size: "4" }),
        el("input", { name: "quantity", type: "number", min: "1", value: item.quantity || 1, "aria-label": "数量", size: "4" }),
      ];
      // data-label: the column heading, shown beside each field where the table stacks on a phone.
      const headings = ["药品", "单次剂量", "单位", "频次", "途径", "天数", "数量（盒）"];
      cells.forEach((c, i) => row.appendChild(el("td", { "data-label": headings[i], class: i ? "" : "rx-drug" }, [c])));
      const remove = el("button", { type: "button", text: "移除" });
      remove.onclick = () => { row.remove(); refreshEmpty(); scheduleCheck(); };
      row.appendChild(el("td", { class: "rx-remove" }, [remove]));
      items.appendChild(row);
      refreshEmpty();
      scheduleCheck();
    }

    function refreshEmpty() { $("#rx-items-empty").hidden = items.children.length > 0; }

    function payload() {
      return {
        consultation_id: cfg.consultationId,
        diagnoses: [...diagnoses.querySelectorAll(".diagnosis")].map((r) => ({
          code: r.querySelector("[name=code]").value.trim().toUpperCase(), name: r.querySelector("[name=name]").value.trim(),
        })).filter((d) => d.code || d.name),
        items: [...items.querySelectorAll("tr")].map((r) => {
          const [dose, unit, frequency, route, days, quantity] = [...r.querySelectorAll("input, select")];
          return { name: r.dataset.name, dose: dose.value || "0", unit: unit.value, frequency: frequency.value,
                   route: route.value, days: Number(days.value), quantity: Number(quantity.value) };
        }),
        emergency: $("#rx-emergency").checked,
        long_term: $("#rx-long-term").checked,
        patient_confirmed_long_term: $("#rx-patient-confirmed").checked,
        extended_reason: $("#rx-reason").value.trim() || null,
        validity_days: Number($("#rx-validity").value),
      };
    }

    function showErrors(errors) {
      const box = $("#rx-errors");
      box.replaceChildren();
      if (!errors.length) { box.className = "success"; box.textContent = "符合处方规则，可以签名。"; return; }
      box.className = "alert";
      const list = el("ul");
      errors.forEach((e) => list.appendChild(el("li", { text: (e.rule ? "[" + e.rule + "] " : "") + e.message })));
      box.appendChild(list);
    }

    // A 422 names fields in the request's terms: say which drug or diagnosis line, in the form's words.
    function problemErrors(err) {
      const fieldErrors = (err.problem || {}).errors;
      if (!fieldErrors) return [{ rule: "", message: err.message }];
      const body = payload();
      return fieldErrors.map((e) => e.rule !== undefined ? e : {
        rule: "", message: [fieldLabel(e.field, body), e.message].filter(Boolean).join("："),
      });
    }

    async function check() {
      try {
        const result = await HH.api("POST", API + "/check", payload());
        showErrors(result.errors);
        return result.ok;
      } catch (err) { showErrors(problemErrors(err)); return false; }
    }

    function scheduleCheck() { if (!signing) { clearTimeout(timer); timer = setTimeout(check, 300); } }

    async function search(q) {
      const list = $("#rx-drug-results");
      list.replaceChildren();
      if (!q.trim()) return;
      try {
        const drugs = await HH.api("GET", API + "/drugs?q=" + encodeURIComponent(q.trim()));
        if (!drugs.length) list.appendChild(el("li", { class: "empty", text: "知识库中没有找到该通用名" }));
        drugs.forEach((d) => {
          const label = d.name_zh + " " + d.name_en + (d.prescribable_online ? "" : "（特殊管理药品，不可在线开具）") + (d.antimicrobial ? "（抗菌药）" : "");
          const button = el("button", { type: "button", text: label, "data-testid": "drug-option" });
          button.onclick = () => { addItem({ name: d.name_zh }); list.replaceChildren(); $("#rx-drug-search").value = ""; };
          list.appendChild(el("li", {}, [button]));
        });
      } catch (err) { list.appendChild(el("li", { class: "alert", text: err.message })); }
    }

    async function signNow() {
      clearTimeout(timer);  // no live check racing the signature for the same rows
      signing = true;
      const body = payload();
      try {
        const saved = draftId ? await HH.api("PUT", API + "/" + draftId, body) : await HH.api("POST", API, body);
        draftId = saved.id;
        const signed = await HH.api("POST", API + "/" + draftId + "/sign", { confirm: true });
        window.location.href = "/prescriptions/" + signed.id;
      } catch (err) { signing = false; $("#rx-sign-dialog").close(); showErrors(problemErrors(err)); }
    }

    $("#rx-add-diagnosis").onclick = () => addDiagnosis({});
    $("#rx-drug-search").addEventListener("input", (e) => { clearTimeout(search.t); search.t = setTimeout(() => search(e.target.value), 250); });
    $("#rx-form").addEventListener("change", scheduleCheck);
    $("#rx-sign").onclick = async () => {
      if (!(await check())) return;
      const p = payload();
      const summary = $("#rx-sign-summary");
      summary.replaceChildren(el("ul", {}, p.items.map((i) => el("li", { text: i.name + "：每次" + i.dose + i.unit + "，" + cfg.frequencies[i.frequency][0] + "，" + i.route + "，" + i.days + "天，" + i.quantity + "盒" }))));
      $("#rx-sign-dialog").showModal();
    };
    $("#rx-sign-cancel").onclick = () => $("#rx-sign-dialog").close();
    $("#rx-sign-confirm").onclick = signNow;

    const start = cfg.draft || { diagnoses: cfg.diagnoses, items: [] };
    (start.diagnoses.length ? start.diagnoses : [{}]).forEach(addDiagnosis);
    start.items.forEach((i) => addItem({ name: i.generic_name, dose: i.dose, unit: i.unit, frequency: i.frequency, route: i.route, days: i.days, quantity: i.quantity }));
    if (cfg.draft) {
      $("#rx-emergency").checked = cfg.draft.emergency;
      $("#rx-long-term").checked = cfg.draft.long_term;
      $("#rx-reason").value = cfg.draft.extended_reason || "";
      $("#rx-validity").value = cfg.draft.validity_days;
    }
    refreshEmpty();
  }

  function initDoctorList() {
    const message = $("#rx-message");
    document.querySelectorAll("[data-revise]").forEach((button) => {
      button.onclick = async () => {
        try {
          const draft = await HH.api("POST", API + "/" + button.dataset.revise + "/revise");
          window.location.href = "/doctor/consultations/" + button.dataset.consultation + "/prescribe?draft=" + draft.id;
        } catch (err) { message.className = "alert"; message.textContent = err.message; }
      };
    });
    document.querySelectorAll("form[data-confirm]").forEach((form) => {
      form.addEventListener("submit", async (event) => {
        event.preventDefault();
        try {
          await HH.api("POST", API + "/" + form.dataset.confirm + "/confirm", { comment: form.comment.value, confirm: true });
          window.location.reload();
        } catch (err) { message.className = "alert"; message.textContent = err.message; }
      });
    });
  }

  window.HHRx = { initPrescribe, initDoctorList };
})();
