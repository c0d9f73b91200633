// The patient's uploaded prescriptions (orders/rx_uploads.html); buy buttons are catalog.js's [data-buy].
HHOrders.initUploads();
