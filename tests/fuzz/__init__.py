"""A differential fuzzer of minigrad against PyTorch.

:mod:`fuzz.generate` writes seeded random programs over minigrad's claimed API, one statement
at a time, each written against a module called ``lib`` and chosen by looking at what the
statements before it made (run under torch, so the program stays mostly valid).
:mod:`fuzz.differ` runs a program statement by statement with ``lib`` bound to torch and to
minigrad, compares after every statement everything the program holds (values, shapes, dtypes,
``requires_grad``, ``is_leaf``, every ``.grad``, and whether the statement raised), and shrinks
a diverging program to the few lines that still diverge the same way.

``tests/test_fuzz.py`` runs a few hundred programs in the normal test run
(``pytest tests/test_fuzz.py --programs N`` for more); ``python tests/fuzz --programs N
--seed S`` runs a long campaign by hand and prints the divergences by kind.
"""
