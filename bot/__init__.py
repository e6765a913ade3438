"""Merci's domain package: profiles, reviews, congratulations and persistence.

Plain Python: nothing here imports ``rasa`` or ``rasa_sdk``, so the same code serves
the action server, the command line and the tests.
"""
