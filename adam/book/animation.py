"""Optimizers moving on a landscape: an animation the reader can play, pause and scrub.

The animation is matplotlib's JavaScript export (`FuncAnimation.to_jshtml`): the frames
(PNG images) and the small player that flips through them are inside the page itself, so
it plays in the built book, in Jupyter and in Colab, with no server and no network. The
player's icons are drawn inline (matplotlib's template fetches an icon font from a CDN;
this module removes that).

    paths = {"SGD": trajectory(SGD(0.01), bowl, 200),
             "Adam": trajectory(Adam(0.1), bowl, 200)}
    animate_paths(paths, bowl)    # an IPython HTML object: the last line of a cell

On the page, the player is ``<div class="adam-animation">`` holding matplotlib's ``<div
class="animation">``: an ``<img>`` (its ``src`` is the current frame), an ``<input
type="range" class="anim-slider">`` to scrub, and buttons titled "Play", "Pause", "Next
frame", "Previous frame", "First frame", "Last frame", "Play backwards", "Increase
speed" and "Decrease speed".
"""

from __future__ import annotations

import re

import numpy as np

from adam.book.style import LOOKS, MAX_WIDTH_IN, RC, TEXT_SIZES, look

#: Inline SVG paths (16 x 16) for the player's buttons, in place of Font Awesome's
#: icons.
ICONS = {
    "fa fa-minus": "M2 7h12v2H2z",
    "fa fa-plus": "M2 7h12v2H2zM7 2h2v12H7z",
    "fa fa-fast-backward": "M16 2 9 8l7 6zM10 2 3 8l7 6zM0 2h3v12H0z",
    "fa fa-step-backward": "M14 2 5 8l9 6zM2 2h3v12H2z",
    "fa fa-play fa-flip-horizontal": "M12 2 3 8l9 6z",
    "fa fa-pause": "M3 2h4v12H3zM9 2h4v12H9z",
    "fa fa-play": "M4 2l9 6-9 6z",
    "fa fa-step-forward": "M2 2l9 6-9 6zM11 2h3v12h-3z",
    "fa fa-fast-forward": "M0 2l7 6-7 6zM6 2l7 6-7 6zM13 2h3v12h-3z",
}

#: Lets the player shrink with the column on a phone instead of overflowing it.
STYLE = """<style>
.adam-animation {text-align: center; max-width: 100%; overflow-x: auto;}
.adam-animation .animation {display: inline-block; max-width: 100%;}
.adam-animation .animation img {max-width: 100%; height: auto;}
.adam-animation input[type=range].anim-slider {width: 100%; max-width: 30em;}
.adam-animation .anim-buttons {display: flex; flex-wrap: wrap; justify-content: center;
  gap: 2px;}
.adam-animation .anim-buttons button {width: 2.4em; height: 2em; padding: 0;
  line-height: 0; color: inherit;}
.adam-animation .anim-buttons svg {width: 1em; height: 1em; fill: currentColor;}
</style>"""


def frame_steps(steps: int, frames: int, power: float = 1.0) -> np.ndarray:
    """The step shown by each frame: `frames` steps from 0 to `steps`, spaced as
    ``(k/K)**power``.

    ``power=1`` spaces them evenly; ``power=2`` spends more frames on the first steps,
    where the paths move fast. Repeats are dropped, so there may be fewer than `frames`.
    """
    if steps < 1 or frames < 2:
        raise ValueError("need at least one step and two frames")
    fraction = np.linspace(0.0, 1.0, frames) ** power
    return np.unique(np.round(fraction * steps).astype(int))


def animate_paths(
    paths: dict[str, np.ndarray],
    landscape,
    *,
    labels: dict | None = None,
    frames: int = 60,
    power: float = 1.0,
    levels=None,
    window=None,
    fps: float = 8.0,
    dpi: int = 100,
    figsize=(6.0, 4.0),
):
    """An animation of several optimizers' paths on one landscape, as IPython `HTML`.

    `paths` maps an optimizer's name (a key of `adam.book.style.LOOKS`, which gives its
    colour, line style and marker) to its ``(steps + 1, 2)`` array of points, as
    returned by `adam.experiments.landscapes.trajectory`; all have the same length.
    `labels` gives the legend text per name (default: the name). `frames`, `power`: see
    `frame_steps`. `levels`: contour levels (default: 14, geometrically spaced).
    `window`: ``((x0, x1), (y0, y1))``, default the landscape's. The figure is closed,
    so a notebook shows only the player.
    """
    import matplotlib as mpl
    import matplotlib.pyplot as plt
    from IPython.display import HTML
    from matplotlib.animation import FuncAnimation
    from matplotlib.lines import Line2D

    paths = {name: np.asarray(path, dtype=np.float64) for name, path in paths.items()}
    lengths = {len(path) for path in paths.values()}
    if not paths or len(lengths) != 1:
        raise ValueError("give one or more paths, all of the same length")
    unknown = set(paths) - set(LOOKS)
    if unknown:
        raise KeyError(f"no look for {sorted(unknown)}; known: {', '.join(LOOKS)}")
    if figsize[0] > MAX_WIDTH_IN:
        raise ValueError(
            f"a {figsize[0]}-inch animation shrinks its text below 9 CSS px on a "
            f"phone; draw it at most {MAX_WIDTH_IN} inches wide"
        )
    labels = {name: name for name in paths} | dict(labels or {})
    shown = frame_steps(lengths.pop() - 1, frames, power)
    (x0, x1), (y0, y1) = window or landscape.window

    settings = {
        "savefig.bbox": "standard",
        "savefig.dpi": dpi,
        "animation.embed_limit": 8.0,
        "animation.frame_format": "png",
        # the player shrinks to the column on a phone: the book's text sizes, in a
        # figure no wider than MAX_WIDTH_IN
        **{key: RC[key] for key in TEXT_SIZES},
    }
    with mpl.rc_context(settings):
        fig, ax = plt.subplots(figsize=figsize, dpi=dpi, layout="constrained")
        X, Y, Z = landscape.grid()
        if levels is None:
            positive = Z[Z > 0]
            levels = np.geomspace(positive.min() * 10, positive.max(), 14)
        ax.contour(X, Y, Z, levels=levels, colors="0.8", linewidths=0.7)
        ax.plot(*landscape.minimum, "x", color="black", ms=9, mew=2)
        ax.set(xlim=(x0, x1), ylim=(y0, y1), xlabel="$x$", ylabel="$y$")
        ax.grid(False)
        trails, heads = {}, {}
        for name in paths:
            (trails[name],) = ax.plot([], [], lw=1.4, **look(name, marker=False))
            (heads[name],) = ax.plot(
                [],
                [],
                linestyle="none",
                marker=LOOKS[name].marker,
                color=LOOKS[name].color,
                ms=11,
                mfc="none",
                mew=2.2,
            )
        title = ax.set_title("")
        handles = [Line2D([], [], lw=1.4, **look(name)) for name in paths]
        for handle in handles:  # hollow, like the moving heads
            handle.set(markersize=9, markerfacecolor="none", markeredgewidth=1.8)
        fig.legend(
            handles,
            [labels[name] for name in paths],
            loc="outside lower center",
            ncol=min(len(paths), 3),
        )

        def draw(k):
            t = shown[k]
            for name, path in paths.items():
                trail = path[: t + 1]
                trail = trail[np.all(np.isfinite(trail), axis=1)]
                trails[name].set_data(trail[:, 0], trail[:, 1])
                heads[name].set_data(trail[-1:, 0], trail[-1:, 1])
            title.set_text(f"step $t = {t}$")
            return [*trails.values(), *heads.values(), title]

        draw(
            len(shown) - 1
        )  # lay the figure out once, for its widest title, then keep it
        fig.canvas.draw()
        fig.set_layout_engine("none")
        animation = FuncAnimation(
            fig, draw, frames=len(shown), interval=1000 / fps, blit=False, repeat=False
        )
        player = animation.to_jshtml(fps=fps, default_mode="once")
        plt.close(fig)
    player = _offline(_fewer_colours(player))
    return HTML(f'<div class="adam-animation">{player}{STYLE}</div>')


def _fewer_colours(player: str, colours: int = 128) -> str:
    """The player with each PNG frame cut to a palette of `colours`: line art on white
    needs few colours, and the frames shrink about fivefold."""
    import base64
    import io

    from PIL import Image
    from PIL.PngImagePlugin import PngInfo

    def shrink(match):
        data = base64.b64decode(match.group(1).replace("\\\n", ""))
        with Image.open(io.BytesIO(data)) as frame:
            dpi = frame.info.get("dpi")  # kept: it sizes the frame's text
            info = PngInfo()
            for key in ("Software",):  # and which program drew it
                if key in frame.info:
                    info.add_text(key, frame.info[key])
            frame = frame.convert("RGB").quantize(
                colours, method=Image.Quantize.FASTOCTREE, dither=Image.Dither.NONE
            )
        _, background = max(frame.getcolors())  # the most common colour: keep it white
        palette = frame.getpalette()
        palette[3 * background : 3 * background + 3] = [255, 255, 255]
        frame.putpalette(palette)
        out = io.BytesIO()
        frame.save(
            out,
            format="PNG",
            optimize=True,
            pnginfo=info,
            **({"dpi": dpi} if dpi else {}),
        )
        return f'data:image/png;base64,{base64.b64encode(out.getvalue()).decode()}"'

    return re.sub(r'data:image/png;base64,([A-Za-z0-9+/=\\\n]+)"', shrink, player)


def _offline(player: str) -> str:
    """matplotlib's player without its link to a CDN's icon font: the icons drawn
    inline."""
    player = re.sub(r'<link rel="stylesheet"\s+href="https?://[^"]*">', "", player)

    def icon(match):
        path = ICONS[match.group(1)]
        return f'<svg viewBox="0 0 16 16" aria-hidden="true"><path d="{path}"/></svg>'

    player = re.sub(r'<i class="([^"]+)"></i>', icon, player)
    if re.search(r"https?://", player):
        raise RuntimeError("the animation's HTML still refers to a network address")
    return player
