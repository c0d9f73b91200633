// Pharmacist reviewing an uploaded prescription (orders/rx_review.html).
HHOrders.initReview(HH.pageData().uploadId);
