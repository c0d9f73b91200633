"""Internet hospital: doctors, specialty centres, patients and guardians, consent, follow-up
consultations with real-time chat, records retention and sealing. Other domains use
`healthhub.hospital.service` only."""
