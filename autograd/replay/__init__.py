"""The compiled replay: a graph traced once (``tracing``), written as straight-line code
(``codegen``), and run again and again on new numbers (``compile``)."""
