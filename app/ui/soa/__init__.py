"""The Statement of Applicability screen and its parts."""
