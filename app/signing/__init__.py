"""Signing the binder: who signs (`identity`), where the installation's key lives
(`keystore`), and the PAdES signature itself, applied and checked with pyHanko (`pdf`)."""
