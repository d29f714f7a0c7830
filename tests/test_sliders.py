"""`adam.book.sliders`: a self-contained HTML figure (BokehJS inline, no request leaves
it)."""

import itertools
import re

import numpy as np
import pytest

from adam.book.sliders import contour_lines, path_sliders
from adam.book.style import LOOKS
from adam.experiments.landscapes import ill_conditioned_quadratic, trajectory
from adam.numpy import Adam

ALPHAS, BETA_1S, BETA_2S = (0.1, 0.3), (0.0, 0.9), (0.9, 0.99, 0.999)


@pytest.fixture(scope="module")
def bowl():
    return ill_conditioned_quadratic(100.0)


@pytest.fixture(scope="module")
def paths(bowl):
    return {
        (a, b1, b2): trajectory(Adam(a, b1, b2), bowl, 30)
        for a, b1, b2 in itertools.product(ALPHAS, BETA_1S, BETA_2S)
    }


@pytest.fixture(scope="module")
def page(bowl, paths):
    figure = path_sliders(
        paths,
        ["α", "β₁", "β₂"],
        contour_lines(bowl, [1.0, 10.0]),
        start=(0.1, 0.9, 0.999),
        minimum=bowl.minimum,
        window=bowl.window,
    )
    return figure._repr_html_()


def test_bokehjs_inline_nothing_fetched(page):
    assert (
        "Bokeh" in page and len(page) > 1_000_000
    )  # the library itself is in the page
    assert not re.search(r"<script[^>]*\bsrc=", page), (
        "a script is loaded from elsewhere"
    )
    assert not re.search(r"<link[^>]*\bhref=", page)
    # Outside the library's own code (which can fetch MathJax for TeX labels), no
    # address:
    own = "".join(
        re.split(r"<script>\s*/\* BEGIN bokeh.*?</script>", page, flags=re.DOTALL)
    )
    assert len(own) < 200_000 and "http" not in own and "$" not in own
    assert len(page) < 2_000_000, "keep the page light"


def test_wrapper_has_handle_and_start_state(page):
    match = re.search(
        r'<div class="adam-sliders" id="([\w-]+)" data-state="([^"]*)"', page
    )
    assert match, 'the figure must sit in <div class="adam-sliders" data-state=...>'
    assert match.group(2) == "α=0.1,β₁=0.9,β₂=0.999"
    assert page.count(match.group(1)) >= 2  # the callback finds the wrapper by its id
    assert page.count("dataset.state") == 1


def test_one_adam_path_per_combination(page, paths):
    keys = set(re.findall(r'\["(\d+,\d+,\d+)",\[\[', page))
    expected = {
        ",".join(map(str, k))
        for k in itertools.product(
            range(len(ALPHAS)), range(len(BETA_1S)), range(len(BETA_2S))
        )
    }
    assert keys == expected
    assert f'data-paths="{len(paths)}"' in page
    assert LOOKS["Adam"].color in page


def test_coordinates_are_rounded(bowl):
    path = np.array([[0.123456789, 1.0], [0.2, 0.987654321]])
    page = path_sliders({(1,): path, (2,): path}, ["a"], decimals=3)._repr_html_()
    assert "0.123" in page and "0.1234" not in page and "0.988" in page


def test_missing_combos_wrong_labels_refused(paths):
    incomplete = dict(list(paths.items())[1:])
    with pytest.raises(ValueError, match="no path"):
        path_sliders(incomplete, ["α", "β₁", "β₂"])
    with pytest.raises(ValueError, match="labels"):
        path_sliders(paths, ["α", "β₁"])


def test_contour_lines_lie_on_their_level(bowl):
    lines = contour_lines(bowl, [2.0], decimals=6)
    assert lines
    values = np.concatenate([bowl.values(line) for line in lines])
    np.testing.assert_allclose(values, 2.0, rtol=0.02)
