"""Reads of funds, committees and the money passed on."""
