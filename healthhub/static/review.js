// Review pages: workbench decisions and tenant management, all through the JSON API (HH.api).
(function () {
  const $ = (sel) => document.querySelector(sel);
  const showError = (error) => {
    const box = $("[data-testid=decision-error]") || $("[data-testid=form-error]");
    if (box) { box.textContent = error.message; box.hidden = false; } else { alert(error.message); }
  };
  // Keys and secrets exist in clear only in this response: show them, never store them.
  const showSecrets = (pairs) => {
    const box = $("[data-testid=secrets]");
    box.innerHTML = "<strong>请立即复制保存，以下内容只显示这一次：</strong>";
    for (const [label, value] of pairs) {
      const row = document.createElement("div");
      row.innerHTML = `${label}：<code data-testid="secret-value"></code>`;
      row.querySelector("code").textContent = value;
      box.appendChild(row);
    }
    box.hidden = false;
  };

  const decision = $("#decision");
  if (decision) {
    const id = decision.dataset.reviewId;
    const bodies = {
      "approve": (text) => ({ note: text || null }),
      "return": (text) => ({ reason: text }),
      "ask-doctor": (text) => ({ question: text }),
    };
    decision.addEventListener("click", async (event) => {
      const action = event.target.dataset.action;
      if (!action) return;
      const text = $("[data-testid=decision-text]").value.trim();
      try {
        await HH.api("POST", `/api/v1/review/reviews/${id}/${action}`, bodies[action](text));
        location.reload();
      } catch (error) { showError(error); }
    });
  }

  const create = $("#create-tenant");
  if (create) {
    create.addEventListener("submit", async (event) => {
      event.preventDefault();
      const form = new FormData(create);
      try {
        const tenant = await HH.api("POST", "/api/v1/review/tenants", {
          code: form.get("code"), name: form.get("name"), webhook_url: form.get("webhook_url") || null,
          auto_approve_pass: form.get("auto_approve_pass") === "on",
        });
        showSecrets([["API 密钥", tenant.api_key], ["Webhook 签名密钥", tenant.webhook_secret]]);
      } catch (error) { showError(error); }
    });
  }

  const tenantBox = $("#tenant");
  if (tenantBox) {
    const base = `/api/v1/review/tenants/${tenantBox.dataset.tenantId}`;
    const run = async (fn) => { try { await fn(); } catch (error) { showError(error); } };
    $("#new-key").addEventListener("click", () => run(async () => {
      const key = await HH.api("POST", `${base}/keys`, { label: "API 密钥" });
      showSecrets([["新 API 密钥", key.api_key]]);
    }));
    $("#rotate-secret").addEventListener("click", () => run(async () => {
      if (!confirm("轮换后旧的签名密钥立即失效，确定吗？")) return;
      const result = await HH.api("POST", `${base}/webhook-secret`);
      showSecrets([["新 Webhook 签名密钥", result.webhook_secret]]);
    }));
    $("#tenant-settings").addEventListener("submit", (event) => run(async () => {
      event.preventDefault();
      const form = new FormData(event.target);
      await HH.api("PATCH", base, { webhook_url: form.get("webhook_url") || null,
                                    auto_approve_pass: form.get("auto_approve_pass") === "on" });
      location.reload();
    }));
    $("#add-member").addEventListener("submit", (event) => run(async () => {
      event.preventDefault();
      const form = new FormData(event.target);
      await HH.api("POST", `${base}/members`, { username: form.get("username"), role: form.get("role") });
      location.reload();
    }));
    document.addEventListener("click", (event) => run(async () => {
      const data = event.target.dataset;
      if (data.keyRotate) {
        const grace = parseInt($("#grace").value || "0", 10);
        const key = await HH.api("POST", `${base}/keys/${data.keyRotate}/rotate`, { grace_minutes: grace });
        showSecrets([["新 API 密钥", key.api_key]]);
      } else if (data.keyRevoke && confirm("吊销后该密钥立即失效，确定吗？")) {
        await HH.api("DELETE", `${base}/keys/${data.keyRevoke}`);
        location.reload();
      } else if (data.memberRemove) {
        await HH.api("DELETE", `${base}/members/${data.memberRemove}`);
        location.reload();
      } else if (data.redeliver) {
        await HH.api("POST", `${base}/webhooks/${data.redeliver}/redeliver`);
        location.reload();
      }
    }));
    document.querySelectorAll("select[data-rule]").forEach((select) => select.addEventListener("change", () => run(async () => {
      const rule = select.dataset.rule;
      if (!select.value) {
        await HH.api("DELETE", `${base}/overrides/${rule}`);
      } else {
        const body = select.value === "disabled" ? { disabled: true } : { severity: select.value };
        await HH.api("PUT", `${base}/overrides/${rule}`, body);
      }
    })));
  }
})();
