"""Rasa input channels: the one part of ``bot`` that imports Rasa.

They are loaded by the Rasa server only (see ``credentials.yml``) and stay thin: every
decision is made by the plain modules of ``bot``.
"""
