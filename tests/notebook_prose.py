"""Give every paragraph that quotes a glued number a cell that shows it with its numbers
outside the built book (Colab and Jupyter show MyST roles as written; see
adam.book.prose).

    python tests/notebook_prose.py          # update the notebooks
    python tests/notebook_prose.py --check  # exit 1 if they are not up to date

Each such Markdown cell gets a readable id (`ch04-in-training-2`) and, after it, a cell
that the book removes: `paragraph("ch04-in-training-2")`. When a paragraph quotes a
value that a later cell glues, the call goes after that cell. Every cell gets an id
(nbformat 4.5).
"""

from __future__ import annotations

import json
import re
import sys
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from notebook_setup import notebooks  # noqa: E402

MARK = "# The paragraph above, with its numbers, for Colab and Jupyter."
GLUE_ROLE = re.compile(r"\{glue(?::\w+)?\}`([A-Za-z0-9_]+)")
GLUE_CALL = re.compile(r"""glue\(\s*["']([A-Za-z0-9_]+)["']""")
GLUE_FCALL = re.compile(r"""glue\(\s*f["']([^"']+)["']""")  # glue(f"{name}_loss", ...)


STOP = {
    "a",
    "an",
    "the",
    "and",
    "of",
    "on",
    "in",
    "to",
    "with",
    "its",
    "for",
    "by",
    "is",
}


def slug(text: str) -> str:
    text = re.sub(r"\$[^$]*\$|`[^`]*`", "", text.lower())
    words = [w for w in re.findall(r"[a-z0-9]+", text) if w not in STOP]
    return "-".join(words[:3]) or "text"


def prose_cell(cell_id: str) -> dict:
    return {
        "cell_type": "code",
        "execution_count": None,
        "id": f"{cell_id}-numbers",
        "metadata": {"tags": ["remove-cell"]},
        "outputs": [],
        "source": [
            MARK + "\n",
            "from adam.book.prose import paragraph\n",
            "\n",
            f'paragraph("{cell_id}")',
        ],
    }


def is_prose_cell(cell: dict) -> bool:
    return cell["cell_type"] == "code" and "".join(cell["source"]).startswith(MARK)


def update(notebook: dict, prefix: str) -> dict:
    cells = [c for c in notebook["cells"] if not is_prose_cell(c)]
    used = {c["id"] for c in cells if "id" in c}
    section, count = "start", {}
    for cell in cells:
        text = "".join(cell["source"])
        if cell["cell_type"] == "markdown":
            heading = re.findall(r"^#+\s+(.*)$", text, re.M)
            if heading:
                section = slug(heading[-1])
        if "id" not in cell or (
            cell["cell_type"] == "markdown"
            and GLUE_ROLE.search(text)
            and not cell["id"].startswith(prefix + "-")
        ):
            if cell["cell_type"] == "markdown" and GLUE_ROLE.search(text):
                count[section] = count.get(section, 0) + 1
                new = f"{prefix}-{section}-{count[section]}"
                while new in used:
                    count[section] += 1
                    new = f"{prefix}-{section}-{count[section]}"
            else:
                new = uuid.uuid4().hex[:8]
            used.discard(cell.get("id"))
            cell["id"] = new
            used.add(new)
    # Where each value is glued: the index of the code cell that glues it.
    glued_at, templates = {}, []
    for i, cell in enumerate(cells):
        if cell["cell_type"] == "code":
            code = "".join(cell["source"])
            for name in GLUE_CALL.findall(code):
                glued_at.setdefault(name, i)
            for template in GLUE_FCALL.findall(code):
                parts = re.split(r"\{[^}]*\}", template)
                templates.append(
                    (re.compile(r"\w+".join(map(re.escape, parts)) + "$"), i)
                )
    for cell in cells:
        for name in GLUE_ROLE.findall("".join(cell["source"])):
            if name not in glued_at:
                # the first f-string template that makes this name
                matches = [i for pattern, i in templates if pattern.match(name)]
                if matches:
                    glued_at[name] = matches[0]
    after = {}
    for i, cell in enumerate(cells):
        if cell["cell_type"] == "markdown":
            names = GLUE_ROLE.findall("".join(cell["source"]))
            if names:
                last = max([i] + [glued_at[n] for n in names if n in glued_at])
                after.setdefault(last, []).append(cell["id"])
    result = []
    for i, cell in enumerate(cells):
        result.append(cell)
        result += [prose_cell(cell_id) for cell_id in after.get(i, [])]
    notebook["cells"] = result
    notebook["nbformat"], notebook["nbformat_minor"] = (
        4,
        max(notebook.get("nbformat_minor", 0), 5),
    )
    return notebook


def prefix_of(path: Path) -> str:
    return (
        "ch" + path.name.split("_")[0]
        if path.name[0].isdigit()
        else path.stem.split("_")[0]
    )


def main(check: bool = False) -> int:
    stale = []
    for path in notebooks():
        text = path.read_text()
        notebook = update(json.loads(text), prefix_of(path))
        new = json.dumps(notebook, indent=1, ensure_ascii=False) + "\n"
        if new != text:
            stale.append(path.name)
            if not check:
                path.write_text(new)
    if check and stale:
        print(
            "paragraph cells out of date (run python tests/notebook_prose.py):", *stale
        )
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(check="--check" in sys.argv))
