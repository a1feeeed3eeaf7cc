"""micro-autograd against micrograd, PyTorch scalars and hand-written floats: ``python -m benchmarks``."""
