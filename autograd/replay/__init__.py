"""The compiled replay: a graph traced once (``tracing``), written as straight-line code
(``codegen``, in Python or, through ``javascript``, in JavaScript), kept for graphs of the same structure
(``cache``), and run again and again on new numbers (``compile``)."""
