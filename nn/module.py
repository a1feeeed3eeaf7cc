"""``Module``: the base of every model, finding its parameters the way PyTorch does."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from autograd import Value

from .state import finite_number, mapping, same_names


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

    def architecture(self) -> dict[str, Any]:
        """The constructor arguments that rebuild this model's shape; a checkpoint records them."""
        raise NotImplementedError(f"{type(self).__name__} does not describe its architecture")

    def state_dict(self) -> dict[str, float]:
        """Every parameter's number by its ``named_parameters`` name, as ``torch.nn.Module.state_dict``."""
        return {name: parameter.data for name, parameter in self.named_parameters()}

    def load_state_dict(self, state: Mapping[str, float]) -> None:
        """Set every parameter's number from ``state``, as ``torch.nn.Module.load_state_dict``.

        The whole state is checked first (no name missing or extra, every value
        a finite number); on any problem CheckpointError says what, and no
        parameter changes.
        """
        parameters = dict(self.named_parameters())
        state = mapping(state, "the state dict")
        same_names(state, parameters, "the state dict", "parameter")
        numbers = {name: finite_number(value, f"parameter {name!r}") for name, value in state.items()}
        for name, number in numbers.items():
            parameters[name].data = number


def _named_parameters_in(attribute: object, path: str) -> Iterator[tuple[str, Value]]:
    if isinstance(attribute, Value):
        yield path, attribute
    elif isinstance(attribute, Module):
        yield from attribute.named_parameters(prefix=f"{path}.")
    elif isinstance(attribute, list | tuple):
        for index, item in enumerate(attribute):
            yield from _named_parameters_in(item, f"{path}.{index}")
