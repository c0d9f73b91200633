// Checkout (orders/checkout.html): the cart lines and the prescription come from the page's JSON block.
(function () {
  const data = HH.pageData();
  HHOrders.initCheckout(data.items, data.prescriptionId);
})();
