"""A policy-gradient agent (REINFORCE) on a small corridor, in NumPy.

The corridor has `length` cells; the agent starts a quarter of the way along, nearer the
left end, and moves left or right. Reaching the right end pays +1, the left end -1, and
each step costs `step_cost`; an episode also ends after `max_steps`. A random walk
mostly falls off the near, losing end: the agent has to learn to walk the long way. The
policy is a table of logits, one pair per cell, trained by gradient ascent on the
expected return with any optimizer of `adam.numpy`.
"""

from __future__ import annotations

import dataclasses

import numpy as np


@dataclasses.dataclass(frozen=True)
class Corridor:
    length: int = 16
    step_cost: float = 0.01
    max_steps: int = 100

    def __post_init__(self):
        if self.length < 3:
            raise ValueError(f"the corridor needs at least 3 cells, got {self.length}")

    @property
    def best_return(self) -> float:
        """Walking straight to the right end."""
        return 1.0 - self.step_cost * (self.length - 1 - self.start)

    @property
    def start(self) -> int:
        return self.length // 4

    def step(self, cell: int, action: int) -> tuple[int, float, bool]:
        """Move left (action 0) or right (1); returns the new cell, the reward and
        whether it ended."""
        cell += 1 if action == 1 else -1
        if cell == self.length - 1:
            return cell, 1.0 - self.step_cost, True
        if cell == 0:
            return cell, -1.0 - self.step_cost, True
        return cell, -self.step_cost, False


def policy(logits: np.ndarray, cell: int) -> np.ndarray:
    z = logits[cell] - logits[cell].max()
    p = np.exp(z)
    return p / p.sum()


def episode(env: Corridor, logits: np.ndarray, rng: np.random.Generator):
    """One episode: the visited cells, the actions taken and the total reward."""
    cell, cells, actions, total = env.start, [], [], 0.0
    for _ in range(env.max_steps):
        action = int(rng.random() < policy(logits, cell)[1])
        cells.append(cell)
        actions.append(action)
        cell, reward, done = env.step(cell, action)
        total += reward
        if done:
            break
    return cells, actions, total


def reinforce_gradient(logits, cells, actions, episode_return, baseline):
    """Gradient of the *loss* -(G - b) * sum log pi(a|s): optimizers minimise; we
    ascend."""
    grad = np.zeros_like(logits)
    for cell, action in zip(cells, actions):
        grad[cell] += policy(logits, cell)
        grad[cell, action] -= 1.0
    return (episode_return - baseline) * grad


def train(
    optimizer, env: Corridor = Corridor(), episodes: int = 500, seed: int = 0
) -> np.ndarray:
    """REINFORCE with a running-mean baseline; returns the return of every episode."""
    rng = np.random.default_rng(seed)
    logits = np.zeros((env.length, 2))
    returns = np.empty(episodes)
    baseline = 0.0
    for i in range(episodes):
        cells, actions, total = episode(env, logits, rng)
        optimizer.step(
            [logits], [reinforce_gradient(logits, cells, actions, total, baseline)]
        )
        baseline += 0.05 * (total - baseline)
        returns[i] = total
    return returns
