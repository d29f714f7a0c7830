"""Drop duplicated inline <script> blocks on every page.

Sphinx 7.x adds body-only scripts registered after builder init twice (filename None vs
''), which makes `const THEBE_JS_URL` throw "Identifier has already been declared" in
the browser. Fixed upstream in Sphinx 8.2 (sphinx-doc/sphinx#13402), but Jupyter Book
1.x pins sphinx~=7.0.
"""


def _dedupe(app, pagename, templatename, context, doctree):
    files = context.get("script_files")
    if not files:
        return
    seen, out = set(), []
    for js in files:
        key = (
            getattr(js, "filename", js) or "",
            tuple(sorted(getattr(js, "attributes", {}).items())),
        )
        if key in seen:
            continue
        seen.add(key)
        out.append(js)
    files[:] = out


def setup(app):
    app.connect("html-page-context", _dedupe, priority=900)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
