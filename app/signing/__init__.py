"""Signing the binder: who signs (`identity`), where the installation's key lives
(`keystore`), and the PAdES signature itself, applied and checked with pyHanko (`pdf`)."""

import warnings

from cryptography.utils import CryptographyDeprecationWarning

# pyHanko imports cryptography's DSA key type (to recognise DSA signers) and cryptography
# 51 warns on that import. Binders are signed with ECDSA (or the user's own key); the
# warning says nothing a user can act on, so it is silenced for pyHanko's modules only.
warnings.filterwarnings(
    "ignore",
    message="DSA is deprecated",
    category=CryptographyDeprecationWarning,
    module="pyhanko",
)
