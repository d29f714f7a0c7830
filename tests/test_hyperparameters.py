"""The hyperparameter checks shared by every Adam in the package
(adam.hyperparameters)."""

from fractions import Fraction

import pytest

from adam.hyperparameters import Hyperparameters
from adam.numpy import Adam


@pytest.mark.parametrize("name", ["learning_rate", "epsilon", "weight_decay"])
@pytest.mark.parametrize(
    "value",
    [10**400, -(10**400), Fraction(10**400, 3)],
    ids=["10**400", "-10**400", "Fraction"],
)
def test_out_of_float_range_names_argument(name, value):
    for make in (Hyperparameters, Adam):
        with pytest.raises(
            ValueError,
            match=rf"^{name} must be finite, got .*beyond the "
            "range of a float",
        ):
            make(**{name: value})
