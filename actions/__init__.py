"""Thin Rasa SDK actions: read the tracker, call one ``bot`` service, answer."""
