"""HealthHub: online pharmacy and internet hospital platform."""
