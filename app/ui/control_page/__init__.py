"""The control page: one control of one engagement, from results to sign-off."""

from app.ui.control_page.page import ControlPage

__all__ = ["ControlPage"]
