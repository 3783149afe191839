"""Fentanyl precursors: substance register, pre-export notifications, incidents, dashboard."""
