"""What every NumPy optimizer in the package shares: checked in-place steps and
checkpoints.

A subclass names its hyperparameters (a frozen dataclass that validates itself), the
per-parameter state arrays it keeps ("slots"), and the in-place update `_apply`. This
class does the rest: it checks every input before anything changes, creates the slots on
the first step, counts steps, and saves and restores the state exactly
(`state_dict`/`load_state_dict`).

No silent state errors:

* A step that fails changes nothing, however it fails: bad input (see
  `adam.numpy.checks`), or a gradient so large that the optimizer's state would overflow
  (`MomentOverflowError`). So the state is always finite and an optimizer's own
  checkpoint always loads back.
* Hyperparameters are plain attributes (``opt.beta_1``), set from the checked dataclass
  the subclass's constructor makes, and can be assigned the same way:
  the new value is checked and used from the next step on (``opt.beta_1 = 1.5`` raises).
  A change that would need other slots (``amsgrad``, SGD's ``momentum`` from 0) raises
  once the optimizer has state.
"""

from __future__ import annotations

import dataclasses
import difflib
import functools

import numpy as np

from adam.iterations import MAX_ITERATIONS, check_iterations
from adam.numpy.checks import (
    check_decay_rates,
    check_finite,
    check_grad_list,
    check_matches_state,
    check_param_list,
    moment_overflow,
)


@functools.cache
def _field_names(hyperparameters_type) -> frozenset:
    return frozenset(f.name for f in dataclasses.fields(hyperparameters_type))


def _dtype(d):
    return None if d is None else np.dtype(d)


#: Names other libraries use for these hyperparameters (PyTorch, papers).
_ALIASES = {
    "lr": "learning_rate",
    "alpha": "learning_rate",
    "eps": "epsilon",
    "beta1": "beta_1",
    "beta2": "beta_2",
    "betas": "beta_1 and beta_2",
    "wd": "weight_decay",
}


def _suggestion(name: str, fields) -> str:
    """ " (did you mean 'beta_1'?)" for a misspelled hyperparameter, else the names."""
    if _ALIASES.get(name, "").split(" and ")[0] in fields:
        return f" (did you mean {_ALIASES[name]!r}?)"
    close = difflib.get_close_matches(name, sorted(fields), n=1)
    return (
        f" (did you mean {close[0]!r}?)" if close else f" (they are {sorted(fields)})"
    )


class Optimizer:
    """Base class. Use a subclass: `Adam`, `SGD`, `AdaGrad`, `RMSProp`, ..."""

    hyperparameters_type: type  # a frozen dataclass that checks its fields
    non_negative_slots: tuple[
        str, ...
    ] = ()  # slots that hold squares (checked on load)
    _check_finite = staticmethod(check_finite)  # a subclass may bring a faster test
    #: Other classes whose checkpoints this one loads (same hyperparameters and slots).
    same_checkpoints_as: tuple[str, ...] = ()

    #: The dtype every step computes in; None: each parameter's own.
    compute_dtype = None

    def __init__(self, hyperparameters):
        """`hyperparameters`: an instance of `hyperparameters_type`, checked when
        made."""
        self._slots: dict[str, list[np.ndarray]] | None = None
        self._set_hyperparameters(hyperparameters)
        self._iterations = 0
        self._quick: list = []  # what the finite check returned for each gradient

    @property
    def iterations(self) -> int:
        """The number of steps taken: t - 1 in the bias corrections."""
        return self._iterations

    @iterations.setter
    def iterations(self, value) -> None:
        # 1.5 steps would be a bias correction that no step count gives (and would be
        # saved rounded); a negative count a NaN one. Refuse both, naming them.
        self._iterations = check_iterations(value)

    # -- what subclasses provide -------------------------------------------------------
    @classmethod
    def slots_for(cls, hyperparameters) -> tuple[str, ...]:
        """Names of the per-parameter state arrays these hyperparameters need."""
        return ()

    def slot_names(self) -> tuple[str, ...]:
        return self.slots_for(self._hyperparameters)

    def _apply(self, params: list[np.ndarray], grads: list[np.ndarray]) -> None:
        """Update `params` and the slots in place. Inputs are already checked; t =
        iterations + 1."""
        raise NotImplementedError

    def _empty_slots(self, params) -> dict[str, list[np.ndarray]]:
        """The slots before the first step: by default one zero array like each
        parameter per slot name. A subclass that stores its state in another layout says
        it here."""
        return {
            name: [np.zeros_like(p, order="C") for p in params]
            for name in self.slot_names()
        }

    def _check_slot_arrays(self, hyperparameters, slots) -> None:
        """Check a loaded state's arrays (the names and counts are already checked):
        floating-point, one shape and dtype per parameter, finite, squares non-negative.
        A subclass that stores its state in another layout says how it checks it
        here."""
        expected = self.slots_for(hyperparameters)
        reference = slots[expected[0]]
        for slot, arrays in slots.items():
            for i, a in enumerate(arrays):
                label = f"slots[{slot!r}][{i}]"
                if not isinstance(a, np.ndarray) or not np.issubdtype(
                    a.dtype, np.floating
                ):
                    raise ValueError(
                        f"malformed state dict: {label} must be a floating-point array"
                    )
                if a.shape != reference[i].shape or a.dtype != reference[i].dtype:
                    raise ValueError(
                        f"malformed state dict: {label} is {a.dtype}{list(a.shape)} "
                        f"but {expected[0]}[{i}] is "
                        f"{reference[i].dtype}{list(reference[i].shape)}"
                    )
                check_finite(f"state dict {label}", a)
                if slot in self.non_negative_slots and a.size and a.min() < 0:
                    raise ValueError(
                        f"corrupt state dict: {label} holds negative values, "
                        "but it is a running average of squares"
                    )

    # -- hyperparameters ---------------------------------------------------------------
    @property
    def hyperparameters(self):
        return self._hyperparameters

    def _is_hyperparameter(self, name) -> bool:
        return name in _field_names(self.hyperparameters_type)

    def _set_hyperparameters(self, hyperparameters) -> None:
        """Keep the checked hyperparameters, and each as a plain attribute:
        opt.beta_2."""
        object.__setattr__(self, "_hyperparameters", hyperparameters)
        for name, value in dataclasses.asdict(hyperparameters).items():
            object.__setattr__(self, name, value)

    def __setattr__(self, name, value):
        # opt.learning_rate = 0.01 (schedules, warm-up), opt.beta_1 = 0.8: checked, then
        # used
        if self._is_hyperparameter(name):
            new = dataclasses.replace(self._hyperparameters, **{name: value})
            if self._slots is not None and self.slots_for(new) != self.slot_names():
                raise ValueError(
                    f"{name}={value!r} needs the slots {list(self.slots_for(new))}, "
                    f"but this optimizer's state holds {list(self.slot_names())}; "
                    "set it before the first step, or start a new optimizer"
                )
            self._set_hyperparameters(new)
        elif name.startswith("_") or hasattr(type(self), name) or name in self.__dict__:
            super().__setattr__(name, value)
        else:  # opt.lr = 0.5 would be stored, and the optimizer would keep its old rate
            raise AttributeError(
                f"{type(self).__name__} has no hyperparameter {name!r}"
                f"{_suggestion(name, _field_names(self.hyperparameters_type))}; "
                "nothing was changed"
            )

    def __repr__(self) -> str:
        args = ", ".join(
            f"{k}={v!r}" for k, v in dataclasses.asdict(self._hyperparameters).items()
        )
        return f"{type(self).__name__}({args})"

    # -- stepping ----------------------------------------------------------------------
    def step(self, params, grads) -> None:
        """Update `params` (a list of float arrays) in place, given one gradient per
        parameter.

        Every check runs before anything is written: on error, parameters and optimizer
        state are exactly as they were. Underflow is ignored whatever the caller's
        ``np.seterr`` says: it is harmless, and raising it would stop a step halfway.
        """
        with np.errstate(under="ignore"):
            self._step(params, grads)

    def _step(self, params, grads) -> None:
        params = check_param_list(params)
        if not params:
            raise ValueError(
                "no parameters: params is an empty list; pass the arrays to update"
            )
        if self.iterations >= MAX_ITERATIONS:
            raise ValueError(
                f"iterations is {self.iterations}, the largest step count "
                "(2**63 - 1): one more step cannot be counted. Nothing was changed"
            )
        if self._slots is not None:
            self._check_layout(params)
        check_decay_rates(self._hyperparameters, params, self.compute_dtype)
        quick = []
        grads = check_grad_list(grads, params, finite=self._check_finite, quick=quick)
        self._quick = quick
        first = self._slots is None
        if first:
            self._slots = self._empty_slots(params)
        try:
            self._apply(params, grads)  # raises MomentOverflowError before it writes
        except ValueError:  # MomentOverflowError, or a step scalar refused
            if first:
                self._slots = None
            raise
        self._params_layout = ([p.shape for p in params], [p.dtype for p in params])
        self.iterations += 1

    def _check_layout(self, params) -> None:
        """The parameters must be those the state was built for (a dtype of None, not
        known from a loaded state, is taken from this step)."""
        shapes, dtypes = self._params_layout
        if dtypes is None:  # a loaded state that does not say them: this step's
            dtypes = [p.dtype for p in params]
        check_matches_state(params, shapes, dtypes)

    def _commit(self, params, grads, new_values, slots=()) -> None:
        """For the optimizers that compute a step out of place: check that the new slot
        values (a dict of lists, like the slots) are finite, then write them and
        `params`'s new values (`new_values["params"]`). Nothing is written if a check
        fails."""
        for name in slots:
            for i, a in enumerate(new_values[name]):
                if not np.isfinite(a).all():
                    raise moment_overflow(i, params[i].dtype, name.replace("_", " "))
        for i, p in enumerate(params):
            for name in slots:
                self._slots[name][i][...] = new_values[name][i]
            p[...] = new_values["params"][i]

    def state_bytes(self) -> int:
        """Bytes of per-parameter state the optimizer holds (0 before the first
        step)."""
        return sum(a.nbytes for arrays in (self._slots or {}).values() for a in arrays)

    # -- checkpoints -------------------------------------------------------------------
    def state_dict(self) -> dict:
        """Everything needed to resume bit for bit: hyperparameters, step count, slot
        arrays (copies, so that later steps do not change a saved state)."""
        slots = {
            name: [a.copy() for a in arrays]
            for name, arrays in (self._slots or {}).items()
        }
        return {
            "optimizer": type(self).__name__,
            "hyperparameters": dataclasses.asdict(self._hyperparameters),
            "iterations": int(self.iterations),
            "slots": slots,
        }

    def load_state_dict(self, state: dict) -> None:
        """Restore a `state_dict`. The whole state is checked first; on error nothing
        changes."""
        hyperparameters, iterations, slots = self._check_state_dict(state)
        self._set_hyperparameters(hyperparameters)
        self.iterations = iterations
        if slots is None:
            self._slots = None
        else:
            self._slots = {
                name: [np.array(a, order="C", copy=True) for a in arrays]
                for name, arrays in slots.items()
            }
            self._params_layout = self._layout_of(slots)
        self._forget_caches()

    def _layout_of(self, slots) -> tuple:
        """The parameters' shapes and dtypes, as a loaded state says them."""
        first = next(iter(slots.values()), [])
        return [a.shape for a in first], [a.dtype for a in first]

    def _forget_caches(self) -> None:
        """Called when the state is replaced: a subclass drops what it derived from the
        old one."""

    def _check_state_dict(self, state):
        name = type(self).__name__
        expected_keys = {"optimizer", "hyperparameters", "iterations", "slots"}
        if not isinstance(state, dict):
            raise TypeError(
                f"state must be a dict from {name}.state_dict(), got "
                f"{type(state).__name__}"
            )
        if set(state) != expected_keys:
            missing, extra = expected_keys - set(state), set(state) - expected_keys
            raise ValueError(
                f"malformed state dict: missing keys {sorted(missing)}, "
                f"unexpected keys {sorted(extra)}"
            )
        if state["optimizer"] not in (name, *self.same_checkpoints_as):
            raise ValueError(
                f"this state dict was saved by {state['optimizer']!r}, not {name!r}"
            )
        if not isinstance(state["hyperparameters"], dict):
            raise ValueError("malformed state dict: 'hyperparameters' must be a dict")
        try:
            hyperparameters = self.hyperparameters_type(**state["hyperparameters"])
        except TypeError as err:
            raise ValueError(
                f"malformed state dict: bad hyperparameters ({err})"
            ) from err
        iterations = state["iterations"]
        if (
            isinstance(iterations, bool)
            or not isinstance(iterations, (int, np.integer))
            or iterations < 0
        ):
            raise ValueError(
                f"malformed state dict: 'iterations' must be a non-negative integer, "
                f"got {iterations!r}"
            )
        try:  # the upper bound: an int64 counter, Philox's key
            check_iterations(iterations)
        except ValueError as err:
            raise ValueError(f"malformed state dict: {err}") from None
        slots = state["slots"]
        if not isinstance(slots, dict):
            raise ValueError(
                "malformed state dict: 'slots' must be a dict of lists of arrays"
            )
        if not slots:
            if iterations:
                raise ValueError(
                    f"malformed state dict: {iterations} steps recorded but no slots"
                )
            return hyperparameters, 0, None
        expected = self.slots_for(hyperparameters)
        if set(slots) != set(expected):  # the names of the hyperparameters' slots
            raise ValueError(
                f"malformed state dict: slots {sorted(slots)} do not match the "
                f"slots {sorted(expected)} of these hyperparameters"
            )
        counts = {
            len(v) if isinstance(v, (list, tuple)) else -1 for v in slots.values()
        }
        if len(counts) != 1 or -1 in counts:
            raise ValueError(
                "malformed state dict: every slot must be a list with one array per "
                "parameter"
            )
        self._check_slot_arrays(hyperparameters, slots)
        if self._slots is not None:
            shapes, dtypes = self._params_layout
            saved_shapes, saved_dtypes = self._layout_of(slots)
            if dtypes is None or saved_dtypes is None:  # compare the shapes alone
                dtypes = saved_dtypes = [None] * len(shapes)
            layout = [(tuple(s), _dtype(d)) for s, d in zip(shapes, dtypes)]
            saved = [(tuple(s), _dtype(d)) for s, d in zip(saved_shapes, saved_dtypes)]
            if saved != layout:

                def names(pairs):
                    return [f"{'' if d is None else d}{list(s)}" for s, d in pairs]

                raise ValueError(
                    "this state dict was saved for another parameter set: its "
                    f"arrays are {names(saved)}, this optimizer's parameters are "
                    f"{names(layout)}"
                )
        return hyperparameters, int(iterations), slots
