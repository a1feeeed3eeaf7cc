"""micro-autograd against micrograd, PyTorch (scalars and batched), the tightest hand-written Python, and numpy
and C floors: ``python -m benchmarks``."""
