"""Paragraphs with their numbers for readers outside the built book
(adam.book.prose)."""

import pytest

from adam.book import prose

PARAGRAPH = """After {glue:text}`steps` steps the loss is {glue:text}`loss:.3f`
({numref}`fig-loss`), as {cite}`kingma2015adam` predicts for the {term}`bias correction
<Bias correction>`; see {ref}`the next chapter <epsilon-placement>` and {doc}`04_bias`.

```{solution} ex-one
:class: dropdown

Because $t = 1$.
```"""


def test_roles_become_glued_numbers():
    text = prose.render(PARAGRAPH, {"steps": 200, "loss": 0.123456})
    assert text.startswith("After 200 steps the loss is 0.123\n(the figure)")
    assert "(Kingma & Ba, 2015)" in text
    assert "bias correction" in text and "<Bias" not in text
    assert "the next chapter" in text and "another chapter" in text
    assert "**Solution**" in text and ":class:" not in text and "```" not in text
    assert "{" not in text.replace("{glue", "")


def test_unglued_number_error_names_it():
    with pytest.raises(prose.MissingNumber, match="'loss'"):
        prose.render(PARAGRAPH, {"steps": 200})


def test_glued_paragraphs_and_cells_match():
    import json

    from notebook_prose import GLUE_ROLE, main

    assert main(check=True) == 0, "run python tests/notebook_prose.py"
    for path in prose.notebooks():
        cells = json.loads(path.read_text())["cells"]
        ids = {c["id"] for c in cells}
        for cell in cells:
            text = "".join(cell["source"])
            if cell["cell_type"] == "markdown" and GLUE_ROLE.search(text):
                assert f"{cell['id']}-numbers" in ids, f"{path.name}: {cell['id']}"
                assert prose.source(cell["id"]) == text
