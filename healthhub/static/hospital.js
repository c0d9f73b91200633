// Consultation chat shared by the patient's consult page and the doctor's workbench:
// messages are POSTed, and arrive live through a Server-Sent Events stream (EventSource).
(function () {
  const API = "/api/v1/hospital";
  const WHO = { doctor: "医生", patient: "患者", system: "系统通知" };

  function el(tag, attrs, text) {
    const node = document.createElement(tag);
    Object.entries(attrs || {}).forEach(([k, v]) => node.setAttribute(k, v));
    if (text !== undefined) node.textContent = text;
    return node;
  }

  function readAsBase64(file) {
    return new Promise((resolve, reject) => {
      const reader = new FileReader();
      reader.onload = () => resolve(String(reader.result).split(",", 2)[1]);
      reader.onerror = reject;
      reader.readAsDataURL(file);
    });
  }

  function openChat(root, consultationId, myRole, onStatus) {
    const list = root.querySelector("[data-chat-list]");
    const form = root.querySelector("[data-chat-form]");
    const error = root.querySelector("[data-chat-error]");
    const seen = new Set();
    list.innerHTML = "";

    function render(message) {
      if (seen.has(message.id)) return;
      seen.add(message.id);
      const side = message.sender_role === "system" ? "system" : (message.sender_role === myRole ? "mine" : "theirs");
      const item = el("li", { class: "msg " + side, "data-testid": "chat-message",
                              "data-sender": message.sender_role });
      item.appendChild(el("span", { class: "who" }, WHO[message.sender_role] || message.sender_role));
      if (message.kind === "image") {
        item.appendChild(el("img", { src: message.image_url, alt: "聊天图片", class: "chat-image" }));
      } else {
        item.appendChild(el("span", { class: "text" }, message.text));
      }
      list.appendChild(item);
      list.scrollTop = list.scrollHeight;
    }

    const source = new EventSource(`${API}/consultations/${consultationId}/stream`);
    source.addEventListener("message", (event) => render(JSON.parse(event.data)));
    source.addEventListener("status", (event) => {
      const data = JSON.parse(event.data);
      if (onStatus) onStatus(data);
      if (["completed", "terminated", "cancelled"].includes(data.status)) {
        source.close();
        form.querySelectorAll("input, button").forEach((n) => { n.disabled = true; });
      }
    });

    form.onsubmit = async (event) => {
      event.preventDefault();
      error.textContent = "";
      const text = form.elements.text.value.trim();
      const file = form.elements.image && form.elements.image.files[0];
      try {
        if (file) {
          render(await HH.api("POST", `${API}/consultations/${consultationId}/messages`,
                              { image_base64: await readAsBase64(file) }));
          form.elements.image.value = "";
        }
        if (text) {
          render(await HH.api("POST", `${API}/consultations/${consultationId}/messages`, { text }));
          form.elements.text.value = "";
        }
      } catch (err) {
        error.textContent = err.message;
      }
    };
    return source;
  }

  window.HHChat = { openChat, readAsBase64, API };
})();
