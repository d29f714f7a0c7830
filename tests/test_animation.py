"""The book's animations: a player with its frames inside the page, and nothing from the
network."""

import base64
import re

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402

from adam.book.animation import animate_paths, frame_steps  # noqa: E402
from adam.experiments.landscapes import ill_conditioned_quadratic, trajectory  # noqa: E402
from adam.numpy import SGD, Adam  # noqa: E402

FRAMES = r'data:image/png;base64,([A-Za-z0-9+/=]+)"'


@pytest.fixture(scope="module")
def player():
    bowl = ill_conditioned_quadratic(10.0)
    paths = {
        "SGD": trajectory(SGD(0.05), bowl, 30),
        "Adam": trajectory(Adam(0.3), bowl, 30),
    }
    before = plt.get_fignums()
    html = animate_paths(paths, bowl, frames=12, dpi=40, figsize=(4, 3))
    assert plt.get_fignums() == before, (
        "the figure must be closed (no static copy below)"
    )
    return html.data


def test_frame_steps_cover_run_favour_start():
    assert list(frame_steps(10, 11)) == list(range(11))
    squared = frame_steps(100, 11, power=2)
    assert squared[0] == 0 and squared[-1] == 100 and squared[1] == 1
    assert np.all(np.diff(squared) > 0)
    with pytest.raises(ValueError):
        frame_steps(0, 10)


def test_player_has_frames_and_scrubber(player):
    assert player.startswith('<div class="adam-animation">')
    frames = re.findall(FRAMES, player)
    assert len(frames) == 12
    assert len(set(frames)) > 1, "the frames should differ"
    for frame in frames[:2]:
        assert base64.b64decode(frame).startswith(b"\x89PNG")
    assert re.search(r'<input[^>]*type="range"[^>]*class="anim-slider"', player)
    for title in ("Play", "Pause", "Next frame", "Previous frame"):
        assert f'<button title="{title}"' in player
    assert "<img" in player


def test_the_player_needs_no_network(player):
    assert not re.search(r"https?://", player)
    assert "<link" not in player and "fa fa-" not in player, "no icon font from a CDN"
    assert player.count("<svg") == 9, "every button draws its icon inline"


def test_unknown_names_ragged_paths_refused():
    bowl = ill_conditioned_quadratic(10.0)
    with pytest.raises(KeyError):
        animate_paths({"NoSuchOptimizer": np.zeros((3, 2))}, bowl)
    with pytest.raises(ValueError):
        animate_paths({"SGD": np.zeros((3, 2)), "Adam": np.zeros((4, 2))}, bowl)
