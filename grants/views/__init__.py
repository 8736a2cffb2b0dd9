"""Web pages of the grants app (German by default); one module per area."""
