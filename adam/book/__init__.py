"""The book's tooling, used by the chapters and the tests, not by the optimizers.

* `glue`: hand a cell's numbers to the prose (MyST-NB's glue, or a store without it),
  and `scientific` to typeset them as prose (1.2 × 10⁻⁴).
* `seeds`: every chapter's seeds, from one place (ADAM_BOOK_SEED chooses others).
* `style`: one figure style, with one colour, line style and marker per optimizer.
* `source`: show the package's own code on a page.
* `tables`: a cell's results as a table that reads in the book, in Jupyter and on a
  phone.
"""
