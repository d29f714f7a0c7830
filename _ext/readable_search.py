"""Search that reads math as words, ranks the section a symbol is about, and lists a
page once.

Sphinx 7.4's search (searchtools.js) has three problems in this book:

* **TeX in the index and the excerpts.** The index is built from the text of every node,
  so a formula's TeX goes in as words (`hat`, `frac`, `mathrm`, `qquad`), and an excerpt
  is cut from the text of the result's page, fetched as HTML, where a formula is still
  its TeX (`\\(\\hat v_t\\)`): MathJax typesets it only in the page itself.
* **No section for a symbol.** A word found in a page's text scores the same for every
  page (5), whatever the section and however often, and ties are sorted by the page's
  title, so "epsilon hat" listed chapter 4, whose section "Where ε goes" is about ε̂,
  fifth.
* **Pages twice.** A title hit on a page's own title is labelled "4. Bias correction >
  Bias correction" (Sphinx compares the title with the numbered one and finds them
  different), so Sphinx does not see that it is the page the text hit already lists; a
  glossary term and its page were listed twice too.

This extension:

* registers an English search language (`app.add_search_language`) that indexes a
  formula as the words a reader types (`\\hat{\\epsilon}_t` gives "epsilon hat";
  `\\frac`, `\\left` and the like give nothing) and a Greek letter in prose under its
  name too ("ε" is also "epsilon");
* counts, for each section, the symbols its formulas use ("epsilon hat", "epsilon", "m
  hat"), and gives that table to the search page only (an inline script,
  `html-page-context`);
* adds `readable_search.js` to the search page only (in its own folder, so that Jupyter
  Book, which adds every script under `_static/` to every page, does not): it puts
  readable text in place of TeX in the excerpts and titles, lists the section that uses
  the searched symbol most as its own hit, and lists each page and section once.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from pathlib import Path

from docutils import nodes
from sphinx.search.en import SearchEnglish

STATIC = Path(__file__).resolve().parent / "readable_search_static"

GREEK = {
    "alpha": "α",
    "beta": "β",
    "gamma": "γ",
    "delta": "δ",
    "epsilon": "ε",
    "varepsilon": "ε",
    "zeta": "ζ",
    "eta": "η",
    "theta": "θ",
    "vartheta": "θ",
    "iota": "ι",
    "kappa": "κ",
    "lambda": "λ",
    "mu": "μ",
    "nu": "ν",
    "xi": "ξ",
    "pi": "π",
    "rho": "ρ",
    "sigma": "σ",
    "tau": "τ",
    "phi": "φ",
    "varphi": "φ",
    "chi": "χ",
    "psi": "ψ",
    "omega": "ω",
    "Gamma": "Γ",
    "Delta": "Δ",
    "Theta": "Θ",
    "Lambda": "Λ",
    "Xi": "Ξ",
    "Pi": "Π",
    "Sigma": "Σ",
    "Phi": "Φ",
    "Psi": "Ψ",
    "Omega": "Ω",
}
#: Greek letters written as characters, by name ("ε" -> "epsilon").
GREEK_NAMES = {}
for _name, _char in GREEK.items():
    GREEK_NAMES.setdefault(_char, _name.lower().removeprefix("var"))
ACCENTS = {
    "hat": "hat",
    "widehat": "hat",
    "bar": "bar",
    "overline": "bar",
    "tilde": "tilde",
    "widetilde": "tilde",
    "dot": "dot",
    "vec": "vec",
}
#: Combining marks a prose symbol may carry ("ε̂").
COMBINING = {"\u0302": "hat", "\u0304": "bar", "\u0303": "tilde", "\u0307": "dot"}
#: Commands that only lay a formula out or stand for an operator: no word.
LAYOUT = set(
    """frac dfrac tfrac sqrt left right big Big bigg Bigg bigl bigr Bigl Bigr
    displaystyle textstyle limits nolimits nonumber notag quad qquad cdot cdots
    ldots dots times leq le geq ge neq ne approx sim in to leftarrow rightarrow gets
    mid lvert rvert vert lVert rVert Vert langle rangle odot otimes circ pm mp prime
    partial nabla infty text mathrm operatorname mathbf boldsymbol mathit mathcal
    mathsf textrm textbf texttt underbrace overbrace""".split()
)

_ACCENT_RE = re.compile(
    r"\\(" + "|".join(ACCENTS) + r")\b\s*"
    r"(?:\{\s*(\\[A-Za-z]+|[A-Za-z])\s*\}|(\\[A-Za-z]+|[A-Za-z]))"
)
_ENV_RE = re.compile(r"\\(?:begin|end|label|tag)\s*\{[^{}]*\}")
_COMMAND_RE = re.compile(r"\\([A-Za-z]+)|\\.")
_GREEK_CHAR_RE = re.compile(
    "([" + "".join(GREEK_NAMES) + "])([" + "".join(COMBINING) + "]?)"
)


def _base(token: str) -> str:
    """The name of an accented symbol: `\\epsilon` -> "epsilon", `m` -> "m"."""
    name = token.lstrip("\\")
    return name.lower().removeprefix("var") if name in GREEK else name


def _command_words(match: re.Match) -> str:
    name = match.group(1)
    if name is None or name in LAYOUT:
        return " "
    return " " + (name.lower().removeprefix("var") if name in GREEK else name) + " "


def tex_words(tex: str) -> str:
    """A formula as the words a reader would search for it with."""
    tex = _ENV_RE.sub(" ", tex)
    tex = _ACCENT_RE.sub(lambda m: f" {_base(m[2] or m[3])} {ACCENTS[m[1]]} ", tex)
    tex = _COMMAND_RE.sub(_command_words, tex)
    # x_t, x_{t-1}, v^2: the index and exponent apart ("epsilon_t" is no word a reader
    # types)
    return re.sub(r"[_^](?=\{|\w\b)|[{}&]", " ", tex)


def looks_like_tex(text: str) -> bool:
    """Whether `text` uses a TeX command of a formula (code's "\\n" is none)."""
    return any(
        name in GREEK or name in ACCENTS or name in LAYOUT or name in ("begin", "end")
        for name in re.findall(r"\\([A-Za-z]+)", text)
    )


def greek_words(text: str) -> str:
    """Prose with each Greek letter followed by its name ("ε̂" -> "ε̂ epsilon hat")."""

    def name(match):
        accent = COMBINING.get(match[2])
        return f"{match[0]} {GREEK_NAMES[match[1]]}{' ' + accent if accent else ''} "

    return _GREEK_CHAR_RE.sub(name, text)


def symbols(tex: str) -> list[str]:
    """The symbols a formula uses, by name: `\\hat\\epsilon_t + \\beta` -> ["epsilon
    hat", "epsilon", "beta"]."""
    found = []
    for match in _ACCENT_RE.finditer(tex):
        base = _base(match[2] or match[3])
        found += [f"{base} {ACCENTS[match[1]]}"] + ([base] if len(base) > 1 else [])
    rest = _ACCENT_RE.sub(" ", tex)
    found += [
        _base(name) for name in re.findall(r"\\([A-Za-z]+)", rest) if name in GREEK
    ]
    return found


def prose_symbols(text: str) -> list[str]:
    """The Greek letters of a title written in characters, by name ("Where ε goes")."""
    found = []
    for match in _GREEK_CHAR_RE.finditer(text):
        accent = COMBINING.get(match[2])
        found += [GREEK_NAMES[match[1]]] + (
            [f"{GREEK_NAMES[match[1]]} {accent}"] if accent else []
        )
    return found


class ReadableEnglish(SearchEnglish):
    """English, with formulas indexed as words and Greek letters also by name."""

    def split(self, input: str) -> list[str]:
        if "\\" in input and looks_like_tex(input):
            input = tex_words(input)
        return super().split(greek_words(input))


# -- which section uses which symbol ---------------------------------------------------
TITLE_WEIGHT = 5  # a symbol in a section's title counts as five uses in its formulas


def _titled(node) -> bool:
    """A section with a heading (sphinx-exercise's untitled "sections" are no place to
    link)."""
    return isinstance(node, nodes.section) and any(
        isinstance(c, nodes.title) for c in node.children
    )


def _section_of(node):
    while node is not None and not _titled(node):
        node = node.parent
    return node


def collect_symbols(app, doctree):
    """Per section of the page: the symbols its formulas (and its title) use, with
    counts. The page's own section (the text before its first heading) has the anchor
    ""."""
    docname = app.env.docname
    counts: dict[str, Counter] = {}
    top = next(iter(doctree.findall(_titled)), None)

    def anchor(section):
        return (
            ""
            if section is None or section is top or not section["ids"]
            else section["ids"][0]
        )

    for node in doctree.findall(
        lambda n: isinstance(n, (nodes.math, nodes.math_block))
    ):
        counts.setdefault(anchor(_section_of(node)), Counter()).update(
            symbols(node.astext())
        )
    for section in doctree.findall(_titled):
        title = next(c for c in section.children if isinstance(c, nodes.title))
        text = title.astext()
        found = symbols(text) if "\\" in text else []
        found += prose_symbols(text)
        for name in found:
            counts.setdefault(anchor(section), Counter())[name] += TITLE_WEIGHT
    store = app.env.__dict__.setdefault("readable_search_symbols", {})
    store[docname] = {a: dict(c) for a, c in counts.items() if c}


def purge(app, env, docname):
    env.__dict__.get("readable_search_symbols", {}).pop(docname, None)


def merge(app, env, docnames, other):
    mine = env.__dict__.setdefault("readable_search_symbols", {})
    theirs = other.__dict__.get("readable_search_symbols", {})
    mine.update({name: theirs[name] for name in docnames if name in theirs})


def search_page(app, pagename, templatename, context, doctree):
    if pagename != "search":
        return
    table = getattr(app.env, "readable_search_symbols", {})
    data = json.dumps(
        {name: table[name] for name in sorted(table) if name in app.env.all_docs},
        ensure_ascii=False,
        sort_keys=True,
        separators=(",", ":"),
    )
    app.add_js_file(None, body=f"window.READABLE_SEARCH_SYMBOLS = {data};")
    app.add_js_file("readable_search.js", loading_method="defer")


def add_static(app, config):
    config.html_static_path.append(str(STATIC))


def setup(app):
    app.add_search_language(ReadableEnglish)
    # After Jupyter Book has listed _static/'s scripts for every page (it does so from
    # the config it builds), so this folder's script goes to the search page only.
    app.connect("config-inited", add_static)
    app.connect("doctree-read", collect_symbols)
    app.connect("env-purge-doc", purge)
    app.connect("env-merge-info", merge)
    # Before dedupe_inline_js (900), which drops the copy Sphinx 7 makes of an inline
    # script.
    app.connect("html-page-context", search_page, priority=500)
    return {
        "version": "1",
        "env_version": 1,
        "parallel_read_safe": True,
        "parallel_write_safe": True,
    }
