"""One figure style for the whole book, and one look per optimizer.

Every optimizer has its own colour, line style and marker (`LOOKS`), the same in every
figure, so that lines stay distinct in greyscale and for colour-blind readers. Colours
come from the Okabe-Ito palette and, past its eight colours, from Paul Tol's; the line
style and marker alone also tell the lines apart. Math in labels is set in the labels'
own typeface and size, and text stays readable when a figure shrinks to a phone's
column. Figures have a white background so that they read the same in the book's light
and dark themes.

    ax.plot(steps, loss, **look("Adam"))                 # colour, line style, marker
    ax.plot(steps, loss, **look("Adam", markevery=20))   # a marker every 20 points
    legend_below(ax)                                     # a legend that covers no data
"""

from __future__ import annotations

from typing import NamedTuple

import matplotlib as mpl

#: Okabe & Ito (2008), "Color Universal Design".
PALETTE = [
    "#0072B2",
    "#E69F00",
    "#009E73",
    "#D55E00",
    "#CC79A7",
    "#56B4E9",
    "#F0E442",
    "#000000",
]


class Look(NamedTuple):
    """How one optimizer is drawn."""

    color: str
    linestyle: str | tuple
    marker: str


#: The same optimizer always looks the same. Names are those the chapters use in
#: legends.
LOOKS: dict[str, Look] = {
    "SGD": Look("#000000", ":", "s"),
    "Momentum": Look("#E69F00", "--", "^"),
    "AdaGrad": Look("#009E73", "-.", "v"),
    "RMSProp": Look("#CC79A7", (0, (5, 1, 1, 1, 1, 1)), "D"),
    "Adam": Look("#0072B2", "-", "o"),
    "Adam + L2": Look("#332288", (0, (1, 1)), "d"),
    "AdamW": Look("#56B4E9", (0, (8, 2)), "P"),
    "AMSGrad": Look("#D55E00", (0, (3, 1, 1, 1)), "X"),
    "AdaMax": Look("#999933", (0, (6, 2, 1, 2)), "*"),
    "Nadam": Look("#882255", (0, (2, 2)), "h"),
    "Lion": Look("#117733", (0, (4, 1, 4, 1, 1, 1)), "<"),
    "Adafactor": Look("#44AA99", (0, (10, 3)), ">"),
    "Muon": Look("#AA4499", (0, (1, 2)), "p"),
    "Schedule-Free AdamW": Look("#DDCC77", (0, (7, 1, 1, 1)), "8"),
}

#: Colour only, for bars and patches (same colours as `LOOKS`).
COLORS = {name: spec.color for name, spec in LOOKS.items()}


def look(
    name: str, *, markevery: int | float | None = None, marker: bool = True
) -> dict:
    """Keyword arguments for `Axes.plot` that draw optimizer `name` in its book-wide
    look.

    `markevery` thins the markers on long lines; `marker=False` leaves them out (for
    paths that carry their own markers).
    """
    try:
        spec = LOOKS[name]
    except KeyError:
        raise KeyError(
            f"no look for optimizer {name!r}; known: {', '.join(LOOKS)}"
        ) from None
    kwargs = {"color": spec.color, "linestyle": spec.linestyle}
    if marker:
        kwargs.update(marker=spec.marker, markersize=5, markevery=markevery)
    return kwargs


def legend_below(where, ncol: int | None = None, **kwargs):
    """A legend under the axes (or under the whole figure), where it can never cover
    data.

    `where` is an `Axes` or a `Figure`; extra keyword arguments go to `legend`. The
    legend has `ncol` columns (default: up to 3), fewer when that many would be wider
    than the figure: a wider legend would widen the saved image and shrink all its text
    on a phone.
    """
    if isinstance(where, mpl.figure.Figure):
        fig = where
        handles, labels = where.axes[0].get_legend_handles_labels()
        for ax in where.axes[1:]:
            for h, label in zip(*ax.get_legend_handles_labels()):
                if label not in labels:
                    handles.append(h)
                    labels.append(label)

        def make(columns):
            return where.legend(
                handles, labels, loc="outside lower center", ncol=columns, **kwargs
            )
    else:
        fig = where.figure
        handles, labels = where.get_legend_handles_labels()

        def make(columns):
            return where.legend(
                loc="upper center", bbox_to_anchor=(0.5, -0.18), ncol=columns, **kwargs
            )

    ncol = ncol or min(len(labels), 3)
    renderer = fig.canvas.get_renderer()
    while True:
        legend = make(ncol)
        if ncol <= 1 or legend.get_window_extent(renderer).width <= fig.bbox.width:
            return legend
        legend.remove()
        ncol -= 1


#: The text column of a 390 px phone, in CSS px (pydata-sphinx-theme's article column,
#: less the cell output's padding). A figure's PNG is shown at its natural width (one
#: CSS px per pixel at `figure.dpi`) or, when wider than the column, shrunk to it; so
#: text of ``s`` pt in an image saved ``W`` inches wide is
#: ``s / 72 * PHONE_COLUMN_PX / W`` CSS px, whatever the dpi.
PHONE_COLUMN_PX = 342

#: The smallest figure text a phone may show, in CSS px (the browser test checks every
#: figure).
PHONE_MIN_TEXT_PX = 9.0

#: The settings that size text. None may be set below the smallest of these anywhere in
#: the book (tests/test_style.py scans the chapters and the package).
TEXT_SIZES = (
    "font.size",
    "axes.titlesize",
    "axes.labelsize",
    "xtick.labelsize",
    "ytick.labelsize",
    "legend.fontsize",
)

RC = {
    "figure.figsize": (6.4, 4.0),
    "figure.dpi": 100,
    "savefig.dpi": 150,
    "savefig.bbox": "tight",
    "figure.facecolor": "white",
    "savefig.facecolor": "white",
    "axes.facecolor": "white",
    "axes.prop_cycle": mpl.cycler(color=PALETTE),
    "axes.grid": True,
    "grid.alpha": 0.3,
    "axes.spines.top": False,
    "axes.spines.right": False,
    # A figure shrinks to the column on a phone (`PHONE_COLUMN_PX`): a 6.4-inch figure
    # is drawn about half its laptop width at 390 px. Text of 13.5 pt in a figure at
    # most `MAX_WIDTH_IN` wide stays at 9.5 CSS px or more there (10 pt in 7 inches gave
    # 6.7 px), and is 19 px on a laptop, where the image shows at its natural size.
    "font.size": 13.5,
    "axes.titlesize": 14,
    "axes.labelsize": 14,
    "xtick.labelsize": 13.5,
    "ytick.labelsize": 13.5,
    "legend.fontsize": 13.5,
    "legend.frameon": False,
    "lines.linewidth": 1.8,
    "lines.markersize": 5,
    # Math in labels in the figure's own typeface and size (DejaVu Sans, italic
    # letters), not Computer Modern beside sans-serif words
    "mathtext.fontset": "dejavusans",
    "image.cmap": "viridis",
}


#: The smallest text in any figure, in points.
SMALLEST_PT = min(RC[key] for key in TEXT_SIZES)

#: The widest a saved figure may be, in inches: wider, and its smallest text drops below
#: 9.5 CSS px on a phone (9 px, the limit, with a margin for labels that stick out of
#: the `figsize`). 6.75 inches at 13.5 pt. Draw figures at most this wide: stack panels
#: in rows rather than side by side, and put legends below (`legend_below`), not beside.
MAX_WIDTH_IN = round(SMALLEST_PT / 72 * PHONE_COLUMN_PX / 9.5, 2)


def phone_text_px(fig) -> float:
    """The smallest text of `fig`, in CSS px, when its saved image shrinks to a phone's
    column.

    Measures the image `savefig` writes (the tight box around everything drawn, plus its
    padding) and the smallest visible text in it.
    """
    import matplotlib.text

    fig.canvas.draw()
    pad = (
        mpl.rcParams["savefig.pad_inches"]
        if mpl.rcParams["savefig.bbox"] == "tight"
        else 0
    )
    box = (
        fig.get_tightbbox()
        if mpl.rcParams["savefig.bbox"] == "tight"
        else fig.bbox_inches
    )
    width = box.width + 2 * pad  # inches
    sizes = [
        t.get_fontsize()
        for t in fig.findobj(matplotlib.text.Text)
        if t.get_visible() and t.get_text().strip()
    ]
    if not sizes:
        raise ValueError("the figure has no text")
    return min(sizes) / 72 * min(1.0, PHONE_COLUMN_PX / (width * fig.dpi)) * fig.dpi


def use_book_style() -> None:
    """Apply the book's matplotlib settings (call once at the top of a chapter)."""
    mpl.rcParams.update(RC)
