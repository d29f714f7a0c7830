"""The book's figure style: every optimizer looks different from every other, in colour
and without it."""

import itertools
import json
import re
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import pytest  # noqa: E402

from adam.book.style import (  # noqa: E402
    COLORS,
    LOOKS,
    MAX_WIDTH_IN,
    PHONE_COLUMN_PX,
    PHONE_MIN_TEXT_PX,
    RC,
    SMALLEST_PT,
    TEXT_SIZES,
    legend_below,
    look,
    phone_text_px,
    use_book_style,
)

BOOK_OPTIMIZERS = [
    "SGD",
    "Momentum",
    "AdaGrad",
    "RMSProp",
    "Adam",
    "AdamW",
    "AMSGrad",
    "AdaMax",
    "Nadam",
]


def test_every_book_optimizer_has_a_look():
    assert set(BOOK_OPTIMIZERS) <= set(LOOKS)
    assert COLORS == {name: spec.color for name, spec in LOOKS.items()}


@pytest.mark.parametrize("field", ["color", "linestyle", "marker"])
def test_no_shared_colour_style_or_marker(field):
    values = [getattr(spec, field) for spec in LOOKS.values()]
    for (a, va), (b, vb) in itertools.combinations(zip(LOOKS, values), 2):
        assert va != vb, f"{a} and {b} share the {field} {va!r}"


def test_look_keywords_and_unknown_name():
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


@pytest.mark.parametrize("figsize", [(6.4, 4.0), (MAX_WIDTH_IN, 3.9)])
def test_figure_text_9_css_px_on_phone(figsize):
    """A figure at most `MAX_WIDTH_IN` wide, shrunk to a phone's column, keeps its tick
    labels, axis labels, titles and legends at 9 CSS px or more (10 pt in 7 inches gave
    6.7 px)."""
    use_book_style()
    fig, ax = plt.subplots(figsize=figsize, layout="constrained")
    ax.plot([0, 1], [0, 1], label=r"Adam, $\alpha$ = 0.1")
    ax.set(xlabel="$x$", ylabel="loss", title="a title")
    legend_below(fig)
    smallest = phone_text_px(fig)
    texts = [
        t for t in fig.findobj(matplotlib.text.Text) if t.get_visible() and t.get_text()
    ]
    assert len(texts) >= 6
    plt.close(fig)
    assert smallest >= PHONE_MIN_TEXT_PX, f"figure text {smallest:.1f} CSS px at 390 px"


def test_phone_text_px_flags_wide_or_small():
    use_book_style()
    fig, ax = plt.subplots(
        figsize=(10, 3), layout="constrained"
    )  # 3 panels side by side
    ax.set(xlabel="x", ylabel="y")
    assert phone_text_px(fig) < PHONE_MIN_TEXT_PX
    plt.close(fig)
    fig, ax = plt.subplots(figsize=(6, 3), layout="constrained")
    ax.text(0.5, 0.5, "a note", fontsize=8)
    assert phone_text_px(fig) == pytest.approx(
        8 / 72 * 100 * min(1, PHONE_COLUMN_PX / 600), rel=0.1
    )
    plt.close(fig)


# -- No figure sets text smaller than the style's smallest size ------------------------
ROOT = Path(__file__).resolve().parents[1]
# A text size set in code: a keyword (fontsize=8, labelsize=9, size=...) given to text,
# ticks or a legend, a "size" key of a font dict, an rc setting ("xtick.labelsize": 12),
# a setter.
SIZE_VALUE = r"""([0-9.]+|["'][a-z-]+["'])"""
SIZE_SET = re.compile(
    r"\b(?:fontsize|labelsize|titlesize|title_fontsize)\s*=\s*"
    + SIZE_VALUE
    + r"|[\"'](?:size|font\.size|[\w.]*(?:fontsize|labelsize|titlesize))[\"']\s*:\s*"
    + SIZE_VALUE
    + r"|\.set_(?:fontsize|size)\(\s*"
    + SIZE_VALUE
    + r"|\b(?:annotate|text|legend|set_title|set_xlabel|set_ylabel|suptitle|"
    r"tick_params|set_label|colorbar)\(.*\bsize\s*=\s*" + SIZE_VALUE
)
# Named sizes below "medium" (the base size).
SMALL_NAMES = {"xx-small", "x-small", "small", "smaller"}


def small_text(code: str):
    """The text sizes in `code` smaller than the book style's smallest, as (line, size)
    pairs."""
    found = []
    for number, line in enumerate(code.splitlines(), 1):
        for match in SIZE_SET.finditer(line):
            value = next(v for v in match.groups() if v is not None).strip("'\"")
            try:
                too_small = float(value) < SMALLEST_PT
            except ValueError:
                too_small = value in SMALL_NAMES
            if too_small:
                found.append((number, match.group(0)))
    return found


def book_sources():
    """Every chapter's code cells and every module of the package, as (name, code)."""
    for path in sorted((ROOT / "chapters").glob("*.ipynb")) + [ROOT / "intro.ipynb"]:
        cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
        for cell in cells:
            if cell["cell_type"] == "code":
                yield f"{path.name} cell {cell.get('id')}", "".join(cell["source"])
    for path in sorted((ROOT / "adam").rglob("*.py")):
        yield str(path.relative_to(ROOT)), path.read_text(encoding="utf-8")


def test_the_scan_finds_small_text():
    assert small_text('ax.annotate("peak", (1, 2), fontsize=9)')
    assert small_text('ax.tick_params(labelsize="small")')
    assert small_text('settings = {"xtick.labelsize": 12}')
    assert small_text('ax.legend(prop={"size": 8})')
    assert small_text("label.set_fontsize(10)")
    assert small_text('ax.text(0, 0, "a", size="x-small")')
    assert not small_text(f'ax.annotate("peak", (1, 2), fontsize={SMALLEST_PT})')
    assert not small_text("rng.normal(size=4)")
    assert not small_text('ax.set_title("t", fontsize="large")')


def test_no_text_below_smallest_size():
    """Every figure's text is at least the style's smallest size (SMALLEST_PT), which
    the browser test turns into CSS px on a phone; a smaller size set anywhere would
    shrink it."""
    sources = list(book_sources())
    assert len(sources) > 20
    problems = [
        f"{name}, line {line}: {text}"
        for name, code in sources
        for line, text in small_text(code)
    ]
    assert not problems, (
        f"text smaller than the style's {SMALLEST_PT} pt:\n" + "\n".join(problems)
    )


def test_smallest_size_and_max_width_agree():
    assert SMALLEST_PT == min(RC[key] for key in TEXT_SIZES)
    assert SMALLEST_PT / 72 * PHONE_COLUMN_PX / MAX_WIDTH_IN >= 9.5
    assert RC["figure.figsize"][0] <= MAX_WIDTH_IN


def test_math_uses_the_labels_typeface():
    from matplotlib import font_manager

    use_book_style()
    text_font = font_manager.findfont(
        font_manager.FontProperties(family=matplotlib.rcParams["font.family"])
    )
    assert "DejaVuSans" in text_font
    assert matplotlib.rcParams["mathtext.fontset"] == "dejavusans"


def test_legend_below_fits_its_figure():
    """Five optimizers asked for in one row of a 7-inch figure: the legend takes fewer
    columns rather than widen the saved image (which would shrink all its text on a
    phone)."""
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


def test_no_figure_wider_than_max_width():
    """Every `figsize` in the chapters and the package is at most MAX_WIDTH_IN wide: a
    wider figure shrinks on a phone and takes its text below 9 CSS px. Panels go in rows
    instead."""
    width = re.compile(r"figsize\s*=\s*\(\s*([0-9.]+)\s*,")
    found = [
        (name, float(w)) for name, code in book_sources() for w in width.findall(code)
    ]
    assert len(found) > 15
    wide = [f"{name}: {w} in" for name, w in found if w > MAX_WIDTH_IN]
    assert not wide, f"figures wider than {MAX_WIDTH_IN} in:\n" + "\n".join(wide)


def test_math_glyphs_in_label_font_and_size():
    """Math in a label ($\\alpha$) is drawn with DejaVu Sans glyphs at the label's own
    size, not Computer Modern (another typeface) or a smaller size."""
    from matplotlib.font_manager import FontProperties
    from matplotlib.mathtext import MathTextParser

    use_book_style()
    size = matplotlib.rcParams["legend.fontsize"]
    *_, glyphs, _ = MathTextParser("path").parse(
        r"$\alpha = 0.1\,x$", prop=FontProperties(size=size)
    )
    assert glyphs
    assert {
        Path(font.fname).name.split("-")[0].split(".")[0] for font, *_ in glyphs
    } == {"DejaVuSans"}
    assert {glyph_size for _, glyph_size, *_ in glyphs} == {size}
