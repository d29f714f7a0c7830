"""The book's tooling, used by the chapters and the tests, not by the optimizers.

* `glue`: hand a cell's numbers to the prose (MyST-NB's glue, or a store without it).
* `style`: one figure style, with one colour, line style and marker per optimizer.
* `source`: show the package's own code on a page.
* `agreement`: compare two implementations in units in the last place.
"""
