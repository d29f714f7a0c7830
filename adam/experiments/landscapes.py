"""Two-dimensional test functions, and the path an optimizer takes across them.

The chapters run every optimizer on the same landscapes with the same budget, so that
the comparisons in the text are about the methods and not the set-up.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable

import numpy as np


@dataclasses.dataclass(frozen=True)
class Landscape:
    """A function of a 2-vector with its gradient, minimum and a plotting window."""

    name: str
    value: Callable[[np.ndarray], float]
    gradient: Callable[[np.ndarray], np.ndarray]
    minimum: tuple[float, float]
    window: tuple[tuple[float, float], tuple[float, float]]  # (x range, y range)
    start: tuple[float, float]  # a standard starting point

    def values(self, path) -> np.ndarray:
        """f at each row of `path`: inf where it overflows, NaN where a run had
        diverged."""
        with np.errstate(over="ignore", invalid="ignore"):
            return np.array(
                [self.value(point) for point in np.atleast_2d(path)], dtype=np.float64
            )

    def grid(self, n: int = 200):
        """`X, Y, Z` arrays for a contour plot over the window."""
        (x0, x1), (y0, y1) = self.window
        X, Y = np.meshgrid(np.linspace(x0, x1, n), np.linspace(y0, y1, n))
        Z = self.value(np.stack([X, Y]))
        return X, Y, Z


def ill_conditioned_quadratic(condition: float = 50.0) -> Landscape:
    """``f(x, y) = (x**2 + condition * y**2) / 2``: curvature differs
    `condition`-fold."""

    def value(p):
        return 0.5 * (p[0] ** 2 + condition * p[1] ** 2)

    def gradient(p):
        return np.array([p[0], condition * p[1]])

    return Landscape(
        f"quadratic (condition number {condition:g})",
        value,
        gradient,
        minimum=(0.0, 0.0),
        window=((-5.5, 5.5), (-2.5, 2.5)),
        start=(-5.0, 2.0),
    )


def rosenbrock(a: float = 1.0, b: float = 100.0) -> Landscape:
    """``f(x, y) = (a - x)**2 + b (y - x**2)**2``: a curved, flat-bottomed valley,
    minimum (a, a**2)."""

    def value(p):
        return (a - p[0]) ** 2 + b * (p[1] - p[0] ** 2) ** 2

    def gradient(p):
        return np.array(
            [
                -2 * (a - p[0]) - 4 * b * p[0] * (p[1] - p[0] ** 2),
                2 * b * (p[1] - p[0] ** 2),
            ]
        )

    return Landscape(
        "Rosenbrock",
        value,
        gradient,
        minimum=(a, a * a),
        window=((-2.0, 2.0), (-1.0, 3.0)),
        start=(-1.5, 2.5),
    )


def trajectory(optimizer, landscape: Landscape, steps: int, start=None) -> np.ndarray:
    """Run `optimizer` (anything with ``step(params, grads)``) for `steps` steps from
    `start`.

    Returns the ``(steps + 1, 2)`` array of visited points, the start included. A run
    that diverges (its gradient overflows) ends there: the remaining rows are NaN.
    """
    point = np.array(landscape.start if start is None else start, dtype=np.float64)
    path = np.full((steps + 1, 2), np.nan)
    path[0] = point
    for t in range(1, steps + 1):
        with np.errstate(over="ignore", invalid="ignore"):
            gradient = landscape.gradient(point)
        if not np.all(np.isfinite(gradient)):
            break
        optimizer.step([point], [gradient])
        path[t] = point
    return path
