"""Patient registry: real-name patients under one account (the holder, family members, guardians for minors),
health facts (allergies, chronic conditions, pregnancy), DP-02 consent, earlier diagnoses from physical visits,
the deletion request that seals them. Other domains use `healthhub.patients.service` (and its views)."""
