"""The Textual app and the ``incident-journal`` command line, built on ``store``."""
