"""Fixtures shared by the tests of the package."""

import pytest

#: Adam's switches, each alone and together: every implementation is tested with each.
SWITCHES = [
    {},
    {"epsilon_hat": True, "epsilon": 1e-7},
    {"bias_correction": False},
    {"amsgrad": True},
    {"weight_decay": 0.05},
    {"amsgrad": True, "weight_decay": 0.01, "epsilon_hat": True},
]


@pytest.fixture(params=SWITCHES, ids=lambda s: ",".join(s) or "defaults")
def switches(request):
    """Keyword arguments of an Adam: each entry of `SWITCHES` in turn."""
    return dict(request.param)
