"""Internet hospital: doctors, specialty centres, follow-up consultations with real-time chat, their
retention and sealing. Patients, consent and earlier records are the patients domain's. Other domains use
`healthhub.hospital.service` only."""
