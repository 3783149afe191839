"""The demo: two local nodes, Canada and India, seeded from the February 2026 readouts."""
