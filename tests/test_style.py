"""The book's figure style: every optimizer looks different from every other, in colour and
without it."""
import itertools

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import pytest  # noqa: E402

from adam.book.style import COLORS, LOOKS, legend_below, look, use_book_style  # noqa: E402

BOOK_OPTIMIZERS = ["SGD", "Momentum", "AdaGrad", "RMSProp", "Adam", "AdamW", "AMSGrad",
                   "AdaMax", "Nadam"]


def test_every_optimizer_of_the_book_has_a_look():
    assert set(BOOK_OPTIMIZERS) <= set(LOOKS)
    assert COLORS == {name: spec.color for name, spec in LOOKS.items()}


@pytest.mark.parametrize("field", ["color", "linestyle", "marker"])
def test_no_two_optimizers_share_a_colour_a_line_style_or_a_marker(field):
    values = [getattr(spec, field) for spec in LOOKS.values()]
    for (a, va), (b, vb) in itertools.combinations(zip(LOOKS, values), 2):
        assert va != vb, f"{a} and {b} share the {field} {va!r}"


def test_look_gives_plot_keywords_and_names_an_unknown_optimizer():
    use_book_style()
    fig, ax = plt.subplots()
    (line,) = ax.plot([0, 1], [0, 1], **look("Adam", markevery=2))
    assert line.get_color() == LOOKS["Adam"].color and line.get_marker() == "o"
    (bare,) = ax.plot([0, 1], [1, 0], **look("SGD", marker=False))
    assert bare.get_marker() in ("None", None, "")
    with pytest.raises(KeyError, match="Adamm"):
        look("Adamm")
    plt.close(fig)


def test_legend_below_sits_under_the_axes():
    use_book_style()
    fig, ax = plt.subplots()
    ax.plot([0, 1], [0, 1], label="a")
    legend = legend_below(ax)
    fig.canvas.draw()
    box = legend.get_window_extent()
    assert box.y1 <= ax.get_window_extent().y0, "the legend overlaps the axes"
    plt.close(fig)
    fig, axes = plt.subplots(1, 2, layout="constrained")
    for a in axes:
        a.plot([0, 1], [0, 1], label="same")
    assert len(legend_below(fig).get_texts()) == 1
    plt.close(fig)


# A figure is drawn 342 CSS px wide in a 390 px window (the column, less the output's padding).
PHONE_FIGURE_PX = 342


@pytest.mark.parametrize("figsize", [(6.4, 4.0), (7, 3.9)])
def test_figure_text_is_at_least_9_css_px_on_a_phone(figsize):
    """The chapters draw figures 6.4 to 7 inches wide; shrunk to a phone's column, their tick
    labels, axis labels, titles and legends stay at 9 CSS px or more (10 pt gave 6.7 px)."""
    use_book_style()
    fig, ax = plt.subplots(figsize=figsize, layout="constrained")
    ax.plot([0, 1], [0, 1], label=r"Adam, $\alpha$ = 0.1")
    ax.set(xlabel="$x$", ylabel="loss", title="a title")
    legend_below(fig)
    fig.canvas.draw()
    width = fig.get_tightbbox().width + 2 * matplotlib.rcParams["savefig.pad_inches"]   # inches
    texts = [t for t in fig.findobj(matplotlib.text.Text) if t.get_visible() and t.get_text()]
    assert len(texts) >= 6
    smallest = min(t.get_fontsize() for t in texts) / 72 / width * PHONE_FIGURE_PX
    plt.close(fig)
    assert smallest >= 9, f"figure text {smallest:.1f} CSS px at 390 px"


def test_math_in_labels_uses_the_labels_typeface():
    from matplotlib import font_manager

    use_book_style()
    text_font = font_manager.findfont(font_manager.FontProperties(
        family=matplotlib.rcParams["font.family"]))
    assert "DejaVuSans" in text_font
    assert matplotlib.rcParams["mathtext.fontset"] == "dejavusans"


def test_a_legend_below_is_never_wider_than_its_figure():
    """Five optimizers asked for in one row of a 7-inch figure: the legend takes fewer columns
    rather than widen the saved image (which would shrink all its text on a phone)."""
    use_book_style()
    for target in ("figure", "axes"):
        fig, axes = plt.subplots(1, 2, figsize=(7, 3.6), layout="constrained")
        for name in ["SGD", "Momentum", "AdaGrad", "RMSProp", "Adam"]:
            axes[0].plot([0, 1], [0, 1], label=name, **look(name))
        legend = legend_below(fig if target == "figure" else axes[0], ncol=5)
        fig.canvas.draw()
        assert legend.get_window_extent().width <= fig.bbox.width, target
        rows = {round(text.get_window_extent().y0) for text in legend.get_texts()}
        assert len(rows) >= 2, target
        plt.close(fig)
