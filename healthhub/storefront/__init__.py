"""Storefront: what a shopper browses and buys from, composed from the catalogue's products, the stock of
pharmacies nearby (inventory) and the shopper's approved e-prescriptions (OD-02/OD-03). It owns no tables;
the /shop pages and a product's detail are its routes."""
