"""``Module``: the base of every model, finding its parameters the way PyTorch does."""

from __future__ import annotations

from collections.abc import Iterator

from autograd import Value


class Module:
    """A model part. Its parameters are the Values among its attributes, found by walking
    them in definition order: a Value, a Module, or a list or tuple of either."""

    def named_parameters(self, prefix: str = "") -> Iterator[tuple[str, Value]]:
        """Every parameter with a dotted path name, such as ``layers.0.neurons.1.weights.0``."""
        for name, attribute in vars(self).items():
            if name.startswith("_"):
                continue
            yield from _named_parameters_in(attribute, f"{prefix}{name}")

    def parameters(self) -> list[Value]:
        """Every parameter, in the order ``named_parameters`` gives them."""
        return [parameter for _, parameter in self.named_parameters()]

    def zero_grad(self) -> None:
        """Reset every parameter's gradient to 0.0 before the next backward pass."""
        for parameter in self.parameters():
            parameter.grad = 0.0


def _named_parameters_in(attribute: object, path: str) -> Iterator[tuple[str, Value]]:
    if isinstance(attribute, Value):
        yield path, attribute
    elif isinstance(attribute, Module):
        yield from attribute.named_parameters(prefix=f"{path}.")
    elif isinstance(attribute, list | tuple):
        for index, item in enumerate(attribute):
            yield from _named_parameters_in(item, f"{path}.{index}")
