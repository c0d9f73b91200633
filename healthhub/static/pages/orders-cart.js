// The patient's cart (orders/cart.html).
HHOrders.initCart();
