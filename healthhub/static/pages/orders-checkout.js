// Checkout (orders/checkout.html): the cart's buyable lines come from the page's JSON block.
HHOrders.initCheckout(HH.pageData().items);
