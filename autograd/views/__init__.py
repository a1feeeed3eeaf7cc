"""Views of a graph, for reading it: the Graphviz drawing (``draw``), formulas by precedence
(``notation``), ``explain``, and the step-through page (``stepthrough`` and its files in ``page/``).
They read graphs and never change them."""
