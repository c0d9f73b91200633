// Shared helpers for pages: JSON calls to our API with the session's CSRF token, and readable errors.
(function () {
  const csrf = () => document.querySelector('meta[name="csrf-token"]')?.content || "";

  async function api(method, url, body, extraHeaders) {
    const headers = Object.assign({ "Accept": "application/json", "X-CSRF-Token": csrf() }, extraHeaders || {});
    if (body !== undefined) headers["Content-Type"] = "application/json";
    const response = await fetch(url, { method, headers, body: body === undefined ? undefined : JSON.stringify(body), credentials: "same-origin" });
    const text = await response.text();
    const data = text ? JSON.parse(text) : null;
    if (response.status === 401 && !url.startsWith("/api/v1/auth/")) {
      // A visitor browsing the shop (or a session that ran out) logs in and comes back to this page.
      location.assign("/login?next=" + encodeURIComponent(location.pathname + location.search));
    }
    if (!response.ok) {
      const error = new Error((data && (data.detail || data.title)) || ("请求失败 " + response.status));
      error.problem = data;
      error.status = response.status;
      throw error;
    }
    return data;
  }

  function newIdempotencyKey() {
    return (crypto.randomUUID ? crypto.randomUUID() : String(Date.now()) + Math.random().toString(16).slice(2));
  }

  // Server data for a page's script: a <script type="application/json" id="page-data"> block (data that is
  // never executed, so the Content-Security-Policy can forbid inline script).
  function pageData() {
    const block = document.getElementById("page-data");
    return block ? JSON.parse(block.textContent) : {};
  }

  // Behaviour every page shares, bound here rather than in inline handlers (which the CSP refuses).
  document.querySelector(".nav-toggle")?.addEventListener("click", () => document.body.classList.toggle("nav-open"));
  document.addEventListener("change", (event) => {
    if (event.target.matches("[data-autosubmit]")) event.target.form.submit();
  });

  window.HH = { api, newIdempotencyKey, csrf, pageData };
})();
