def pytest_configure(config):
    # A marker of Keras's own test suite (its conftest.py is not installed with Keras);
    # it skips tests on the numpy backend, which cannot train. Both backends run here
    # can.
    config.addinivalue_line(
        "markers", "requires_trainable_backend: Keras's marker for tests that train"
    )
