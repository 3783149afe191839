"""Notifications: in-app messages for users and the e-mail sent for them."""
