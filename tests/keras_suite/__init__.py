"""Keras's own optimizer tests, run against `adam.keras.Adam` (see `drop_in`)."""
