// The merchant's SKU form (catalog/merchant.html): find the product by name, pinyin or initials through the
// catalogue search, pick one, then list it with the merchant's own code and price.
(function () {
  const form = document.getElementById("sku-form");
  const search = document.getElementById("sku-product-search");
  const results = document.getElementById("sku-product-results");
  const chosen = document.getElementById("sku-product-chosen");
  const message = document.getElementById("sku-message");
  const SEARCH_DELAY_MS = 250;
  const RESULT_COUNT = 8;
  let timer = null;
  let latestQuery = "";

  const say = (text) => { message.textContent = text; message.className = text ? "alert" : ""; };
  const describe = (item) => [item.name, item.package, item.manufacturer].filter(Boolean).join(" · ");

  function choose(item) {
    form.elements.product_id.value = item.id;
    chosen.textContent = "已选择：" + describe(item);
    chosen.className = "success";
    results.hidden = true;
    say("");
  }

  function show(items) {
    results.replaceChildren();
    if (!items.length) {
      const none = document.createElement("li");
      none.className = "muted";
      none.textContent = "没有找到可网售的商品，换个名称或拼音试试";
      results.append(none);
    }
    items.forEach((item) => {
      const button = document.createElement("button");
      button.type = "button";
      button.dataset.testid = "sku-product-option";
      button.textContent = describe(item) + (item.rx ? "（处方药）" : "");
      button.addEventListener("click", () => choose(item));
      const row = document.createElement("li");
      row.append(button);
      results.append(row);
    });
    results.hidden = false;
  }

  async function lookUp(query) {
    latestQuery = query;
    try {
      const page = await HH.api("GET", "/api/v1/catalog/search?" + new URLSearchParams({ q: query, size: RESULT_COUNT }));
      if (query === latestQuery) show(page.items);  // an answer to an older keystroke is dropped
    } catch (error) {
      say(error.message);
    }
  }

  search.addEventListener("input", () => {
    clearTimeout(timer);
    form.elements.product_id.value = "";  // typing again means a new choice is needed
    chosen.textContent = "尚未选择商品";
    chosen.className = "muted";
    const query = search.value.trim();
    if (!query) { results.hidden = true; latestQuery = ""; return; }
    timer = setTimeout(() => lookUp(query), SEARCH_DELAY_MS);
  });

  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const data = new FormData(form);
    if (!data.get("product_id")) { say("请先搜索并从结果中选择商品"); search.focus(); return; }
    const body = { product_id: String(data.get("product_id")), sku_code: String(data.get("sku_code")),
                   price_cents: Math.round(Number(data.get("price_yuan")) * 100) };
    try {
      await HH.api("POST", "/api/v1/catalog/merchant/skus", body, { "Idempotency-Key": HH.newIdempotencyKey() });
      location.reload();
    } catch (error) {
      say(error.message);
    }
  });
})();
