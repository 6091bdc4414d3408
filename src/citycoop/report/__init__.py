"""The HTML reports: ``views`` is what the notebooks call (``review`` too, for the review page's
lists), ``html`` makes pages of executed notebooks and the index, ``build`` plans the pages and
runs the notebooks (``citycoop report``).

Nothing is re-exported here: each name has one home and is imported from it. The notebooks
write ``from citycoop.report import views`` and call ``views.corpus_view(...)``, so a cell
says which module what it calls lives in, and the notebooks' API is two modules to read;
the command line imports ``build.build_reports``. (A second spelling of each name, here,
would be one more list to keep in step with the modules.)
"""
