"""Open data: awarded grants in the 360Giving data standard."""
