"""Number each appendix's figures and exercises on their own: "Fig. A2.1", "Exercise
A3.1".

The chapters' part of `_toc.yml` is numbered, so Sphinx numbers a chapter's figures
"Fig. 5.1", "Fig. 5.2". The Appendix part is not, and Sphinx then counts the figures of
all its pages together: the first figure of the second appendix would follow on from the
first appendix's. After Sphinx has assigned the numbers (`env.toc_fignumbers`, filled by
its toctree collector on the event `env-get-updated`), this extension gives each page
named in the configuration value `appendix_numbers` (docname: prefix) its own count from
1, behind its prefix. Every kind of numbered item is renumbered: figures, tables, code
blocks, and sphinx-exercise's exercises.

Sphinx writes a number as the parts of its tuple joined by dots (the HTML writer,
`{numref}` and sphinx-exercise all use ``".".join(map(str, number))``), so the tuple
``("A2", 1)`` reads "A2.1".
"""

from __future__ import annotations

from collections.abc import Mapping

Numbers = dict[str, dict[str, dict[str, tuple]]]


def renumber(fignumbers: Numbers, prefixes: Mapping[str, str]) -> list[str]:
    """Number the items of each page in `prefixes` from 1 behind its prefix, in place.

    `fignumbers` is Sphinx's ``env.toc_fignumbers``: docname -> figure type -> id ->
    number, each page's ids in the order of the page. Returns the pages whose numbers
    changed."""
    changed = []
    for docname, prefix in prefixes.items():
        kinds = fignumbers.get(docname)
        if not kinds:
            continue
        new = {
            figtype: {
                figure_id: (prefix, i) for i, figure_id in enumerate(ids, start=1)
            }
            for figtype, ids in kinds.items()
        }
        if new != kinds:
            fignumbers[docname] = new
            changed.append(docname)
    return changed


def _renumber_appendices(app, env) -> list[str]:
    return renumber(env.toc_fignumbers, app.config.appendix_numbers)


def setup(app):
    app.add_config_value("appendix_numbers", {}, "env", types=[dict])
    # After the toctree collector (priority 500) has assigned every page's numbers.
    app.connect("env-get-updated", _renumber_appendices, priority=900)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
