/* The sidebar buttons a reader sees open the sidebars (Jupyter Book adds every .js file in
 * _static/ to every page, so this file is the book's only script and stays small).
 *
 * pydata-sphinx-theme 0.17.1 gives its drawers (the <dialog>s #pst-primary-sidebar-modal and
 * #pst-secondary-sidebar-modal) to the FIRST .primary-toggle and .secondary-toggle of the page:
 * the buttons of its own top bar, which sphinx-book-theme 1.3.0 hides
 * (`.bd-header button.sidebar-toggle {display: none}`). The buttons the reader taps are
 * sphinx-book-theme's, in the article header, later in the page: they get no handler and show
 * only their tooltip (pydata-sphinx-theme issue 2451, sphinx-book-theme pull request 991; no
 * released pair of versions fixes it). A click on one of them is handed to the button the
 * themes did wire: on a narrow screen that opens the drawer, on a wide one sphinx-book-theme
 * folds the left sidebar away, as each theme intends.
 */
document.addEventListener(
  "click",
  (event) => {
    const button = event.target.closest?.(".primary-toggle, .secondary-toggle");
    if (!button) return;
    const kind = button.classList.contains("primary-toggle") ? ".primary-toggle" : ".secondary-toggle";
    const wired = document.querySelector(kind);
    if (!wired || wired === button) return;
    // Capture phase on the document: runs before any handler on the button itself, so a
    // future theme that wires every button does not open the drawer twice.
    event.preventDefault();
    event.stopImmediatePropagation();
    wired.click();
    // On a wide screen no drawer takes the focus: drop it, or the tooltip stays (the themes
    // do the same for the button they wire).
    if (!document.querySelector("dialog[open]")) button.blur();
  },
  true,
);
