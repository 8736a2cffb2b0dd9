"""Forms of funds and committees."""
