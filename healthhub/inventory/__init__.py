"""Stock and channel routing: locations, batches with expiry, FEFO allocation, reservations, stock moves."""
