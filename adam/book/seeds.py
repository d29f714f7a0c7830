"""The seeds of the book's experiments, from one place.

Every random number a chapter draws starts from a seed written in the chapter, such as
`np.random.default_rng(seed(2015))` or `train(..., seed=seed(0))`. By default `seed(n)`
is `n`, so the book shows what it always showed. With the environment variable
``ADAM_BOOK_SEED`` set to another whole number k, every `seed(n)` becomes a different
seed, derived from k and n (the n stay distinct), so that every experiment runs on other
random numbers. The chapters' claims must hold for those too: CI runs the chapters once
more with ``ADAM_BOOK_SEED=1``.

    ADAM_BOOK_SEED=1 jupyter execute chapters/07_advantages_and_drawbacks.ipynb
"""

from __future__ import annotations

import os

import numpy as np

#: The environment variable that chooses the book's other seeds; unset or 0: the
#: defaults.
ENV_VAR = "ADAM_BOOK_SEED"


def offset() -> int:
    """The whole number in ``ADAM_BOOK_SEED``, 0 when it is unset or empty."""
    text = os.environ.get(ENV_VAR, "").strip()
    if not text:
        return 0
    try:
        value = int(text)
    except ValueError:
        raise ValueError(f"{ENV_VAR} must be a whole number, not {text!r}") from None
    if value < 0:
        raise ValueError(f"{ENV_VAR} must be 0 or more, not {value}")
    return value


def seed(n: int) -> int:
    """The seed to use where the book's default seed is `n` (a whole number >= 0).

    `n` itself unless ``ADAM_BOOK_SEED`` asks for other seeds; then a 32-bit seed mixed
    from both numbers by NumPy's `SeedSequence`, different for every `n`."""
    if isinstance(n, bool) or not isinstance(n, (int, np.integer)) or n < 0:
        raise ValueError(f"a seed is a whole number >= 0, not {n!r}")
    k = offset()
    if k == 0:
        return int(n)
    return int(np.random.SeedSequence([k, int(n)]).generate_state(1)[0])


def seeds(first: int, count: int) -> list[int]:
    """`count` seeds: those whose defaults are first, first + 1, ..."""
    return [seed(first + i) for i in range(count)]
