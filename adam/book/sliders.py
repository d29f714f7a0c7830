"""A figure with sliders: precomputed optimizer paths, one shown at a time, chosen by
sliders.

Every path is computed in Python by the package before the page is built; the sliders
only pick which one to draw. The figure is Bokeh with its JavaScript inlined in the
page, so it works in the built book, in Jupyter and in Colab without a server or any
network request.

    paths = {(alpha, beta_1, beta_2): trajectory(Adam(alpha, beta_1, beta_2), bowl, 100)
             for alpha, beta_1, beta_2 in itertools.product(alphas, beta_1s, beta_2s)}
    path_sliders(paths, ["α", "β₁", "β₂"], contour_lines(bowl, levels),
                 start=(0.1, 0.9, 0.999))

The figure sits in ``<div class="adam-sliders" data-state="...">``; each slider move
sets `data-state` to the values shown, e.g. ``"α=0.1,β₁=0.9,β₂=0.999"``, and counts the
moves in `data-moves`; `data-aspect` is the plot's width over its height, which it keeps
at any width (a phone's column shrinks it as a whole rather than squash its height).
Keep TeX (``$...$``) out of labels and titles: BokehJS would fetch MathJax for it.
"""

from __future__ import annotations

import html
import itertools
import uuid

import numpy as np

from adam.book.style import LOOKS

#: Matplotlib markers and line styles as Bokeh names (for the looks in
#: `adam.book.style`).
_MARKERS = {
    "o": "circle",
    "s": "square",
    "^": "triangle",
    "v": "inverted_triangle",
    "D": "diamond",
    "d": "diamond",
    "X": "x",
    "P": "plus",
    "*": "star",
    "h": "hex",
    "p": "hex",
    "<": "triangle",
    ">": "triangle",
    "8": "circle",
}
_DASHES = {"-": "solid", "--": "dashed", ":": "dotted", "-.": "dashdot"}


def contour_lines(
    landscape, levels, n: int = 200, decimals: int = 3
) -> list[np.ndarray]:
    """The contour lines of `landscape` at `levels`, as ``(points, 2)`` arrays."""
    import contourpy

    X, Y, Z = landscape.grid(n)
    generator = contourpy.contour_generator(X, Y, Z)
    return [
        np.round(line, decimals) for level in levels for line in generator.lines(level)
    ]


def path_sliders(
    paths: dict,
    labels,
    contours=(),
    *,
    start=None,
    minimum=None,
    window=None,
    name: str = "Adam",
    every: int = 10,
    title: str = "",
    decimals: int = 3,
    width: int = 700,
    height: int = 340,
):
    """An HTML figure of one path out of `paths`, chosen with one slider per parameter.

    `paths` maps a tuple of parameter values, one per slider, to a ``(steps + 1, 2)``
    array of points (rows of NaN, where a run diverged, are dropped); every combination
    of the values must be there. `labels` names the sliders, `start` picks the values
    shown first (default: the first of each). `contours` are lines drawn in grey behind
    the path, `minimum` is marked with a cross, `window` is ``((x0, x1), (y0, y1))``.
    The path is drawn in the look of optimizer `name` (`adam.book.style.LOOKS`), a
    marker every `every` steps. Coordinates are rounded to `decimals` digits to keep the
    page light.

    Returns an `IPython.display.HTML` holding BokehJS itself (no CDN, no server).
    """
    from bokeh.embed import components
    from bokeh.layouts import column
    from bokeh.models import (
        ColumnDataSource,
        CustomJS,
        CustomJSTickFormatter,
        Slider,
    )
    from bokeh.plotting import figure
    from bokeh.resources import Resources
    from IPython.display import HTML

    keys = list(paths)
    dims = len(keys[0])
    labels = list(labels)
    if len(labels) != dims:
        raise ValueError(f"{dims} parameters per path, but {len(labels)} labels")
    values = [sorted({key[i] for key in keys}) for i in range(dims)]
    missing = [combo for combo in itertools.product(*values) if combo not in paths]
    if missing:
        raise ValueError(f"no path for {len(missing)} combinations, e.g. {missing[0]}")
    start = tuple(start) if start is not None else tuple(v[0] for v in values)
    index = tuple(values[i].index(start[i]) for i in range(dims))

    def as_lists(path):
        path = np.asarray(path, dtype=np.float64)
        path = path[np.all(np.isfinite(path), axis=1)]
        path = np.round(path, decimals)
        return [path[:, 0].tolist(), path[:, 1].tolist()]

    table = {
        ",".join(str(values[i].index(key[i])) for i in range(dims)): as_lists(path)
        for key, path in paths.items()
    }
    key0 = ",".join(map(str, index))
    xs, ys = table[key0]
    source = ColumnDataSource({"x": xs, "y": ys})
    marks = ColumnDataSource({"x": xs[::every], "y": ys[::every]})

    look = LOOKS[name]
    # scale_width with a fixed aspect ratio: on a narrow page the figure shrinks as a
    # whole instead of keeping its height and squashing the plot.
    plot = figure(
        width=width,
        height=height,
        sizing_mode="scale_width",
        aspect_ratio=width / height,
        title=title,
        toolbar_location=None,
        tools="",
        match_aspect=True,
    )
    if window is not None:
        (x0, x1), (y0, y1) = window
        plot.x_range.start, plot.x_range.end = x0, x1
        plot.y_range.start, plot.y_range.end = y0, y1
    if contours:
        plot.multi_line(
            [c[:, 0].tolist() for c in contours],
            [c[:, 1].tolist() for c in contours],
            color="#bfbfbf",
            line_width=1,
        )
    dash = (
        _DASHES.get(look.linestyle, "solid")
        if isinstance(look.linestyle, str)
        else "dashed"
    )
    plot.line("x", "y", source=source, color=look.color, line_dash=dash, line_width=2)
    plot.scatter(
        "x",
        "y",
        source=marks,
        color=look.color,
        size=6,
        marker=_MARKERS.get(look.marker, "circle"),
    )
    plot.scatter(
        [xs[0]], [ys[0]], color="black", size=8, marker="circle", fill_color="white"
    )
    if minimum is not None:
        plot.scatter(
            [minimum[0]], [minimum[1]], color="black", size=12, marker="x", line_width=2
        )
    plot.xaxis.axis_label, plot.yaxis.axis_label = "x", "y"
    plot.grid.visible = False
    for axis in (plot.xaxis, plot.yaxis):
        axis.axis_label_text_font_size = "13px"
        axis.major_label_text_font_size = "12px"

    shown = [[_number(v) for v in vs] for vs in values]
    sliders = [
        Slider(
            start=0,
            end=len(vs) - 1,
            step=1,
            value=index[i],
            title=labels[i],
            format=CustomJSTickFormatter(
                args={"shown": shown[i]}, code="return shown[Math.round(tick)]"
            ),
            sizing_mode="stretch_width",
            margin=(4, 16, 4, 8),
        )
        for i, vs in enumerate(values)
    ]
    element = f"adam-sliders-{uuid.uuid4().hex[:12]}"
    callback = CustomJS(
        args={
            "sliders": sliders,
            "paths": table,
            "source": source,
            "marks": marks,
            "labels": labels,
            "shown": shown,
            "every": every,
            "element": element,
        },
        code="""
const index = sliders.map((s) => Math.round(s.value));
const [xs, ys] = paths[index.join(",")];
source.data = {x: xs, y: ys};
const kept = (_, i) => i % every == 0;
marks.data = {x: xs.filter(kept), y: ys.filter(kept)};
const state = index.map((k, i) => labels[i] + "=" + shown[i][k]).join(",");
const div = document.getElementById(element);
if (div) {
  div.dataset.state = state;
  div.dataset.moves = Number(div.dataset.moves) + 1;
}
""",
    )
    for slider in sliders:
        slider.js_on_change("value", callback)

    layout = column(*sliders, plot, sizing_mode="stretch_width")
    script, div = components(layout)
    bokeh_js = Resources(
        mode="inline", components=["bokeh", "bokeh-widgets"]
    ).render_js()
    state = ",".join(f"{labels[i]}={shown[i][index[i]]}" for i in range(dims))
    page = (
        f'<div class="adam-sliders" id="{element}" data-state="{html.escape(state)}" '
        f'data-moves="0" data-paths="{len(table)}" data-aspect="{width / height:.4f}" '
        f'style="max-width: min(100%, {width + 60}px); margin: 0 auto; '
        'overflow: hidden">\n'
        f"{bokeh_js}\n{div}\n{script}\n</div>"
    )
    return HTML(page)


def _number(value) -> str:
    """A slider value as the reader would write it: 0.1, 0.999, 0."""
    return f"{float(value):g}"
