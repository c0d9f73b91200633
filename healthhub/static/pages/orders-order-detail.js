// One order (orders/order_detail.html); `paying` opens the payment step right away.
(function () {
  const data = HH.pageData();
  HHOrders.initOrder(data.orderId, data.paying);
})();
