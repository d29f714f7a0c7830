"""One figure style for the whole book.

Colours are the Okabe-Ito palette, which stays distinguishable with the common forms of
colour blindness; each optimizer keeps its colour in every chapter. Figures have a white
background so that they read the same in the book's light and dark themes.
"""
from __future__ import annotations

import matplotlib as mpl

#: Okabe & Ito (2008), "Color Universal Design".
PALETTE = ["#0072B2", "#E69F00", "#009E73", "#D55E00", "#CC79A7", "#56B4E9", "#F0E442", "#000000"]

#: The same optimizer always has the same colour.
COLORS = {
    "Adam": "#0072B2",
    "SGD": "#000000",
    "Momentum": "#E69F00",
    "AdaGrad": "#009E73",
    "RMSProp": "#CC79A7",
    "AMSGrad": "#D55E00",
    "AdamW": "#56B4E9",
    "AdaMax": "#F0E442",
    "Nadam": "#D55E00",
}

RC = {
    "figure.figsize": (6.4, 4.0),
    "figure.dpi": 100,
    "savefig.dpi": 150,
    "figure.facecolor": "white",
    "savefig.facecolor": "white",
    "axes.facecolor": "white",
    "axes.prop_cycle": mpl.cycler(color=PALETTE),
    "axes.grid": True,
    "grid.alpha": 0.3,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "font.size": 11,
    "axes.titlesize": 12,
    "axes.labelsize": 11,
    "legend.fontsize": 10,
    "legend.frameon": False,
    "lines.linewidth": 1.8,
    "image.cmap": "viridis",
}


def use_book_style() -> None:
    """Apply the book's matplotlib settings (call once at the top of a chapter)."""
    mpl.rcParams.update(RC)
