"""Payment runs: SEPA credit-transfer files (pain.001.001.09) for ordered payments."""
