"""`CompactAdam`: Adam whose two moments are stored in fewer bits than the weights.

Adam keeps two numbers per weight; in float32 that is 8 bytes per parameter, twice the
weights themselves. Two ways to store them smaller, both computing each step in float32:

* ``state="bfloat16"``: m and v rounded to bfloat16 (`ml_dtypes.bfloat16`; the upper 16
  bits of the float32, stored as ``uint16`` so that a checkpoint is plain NumPy).
  bfloat16 has float32's range but only 8 significant bits. m is rounded to nearest
  (ties to even). v is too, except where that would drop the whole change: near its
  equilibrium v moves by (1 - beta_2)(g**2 - v) a step, often below half an ulp, and
  rounded to nearest it stalled at half its value (steps of 1.4 lr after 3000 steps of g
  = 1 +- 10%). There it is rounded stochastically (up with probability the fraction
  dropped), so on average it moves as it should: v and the steps stay within 1% of
  Adam's. The random bits of step t depend only on t (Philox keyed by the step count),
  so a resumed run draws the same ones. 4 bytes per parameter.
* ``state="int8"``: 8-bit block-wise quantization, in the spirit of Dettmers et al.
  (2022). Each parameter is cut into blocks of `block` values; each block keeps one
  float32 scale, its largest magnitude, and each value one byte: m as a signed code in
  [-127, 127] and sqrt(v) as an unsigned code in [0, 255], both linear in the block's
  scale. (Dettmers et al. quantize m and v themselves with a non-linear "dynamic" code,
  precise for small values too; this linear code is simpler and loses the small values
  of a block.) About 2 bytes per parameter: ``2 + 8 / block`` (a parameter smaller than
  a block is one block of its size). What the linear code costs, measured: a coordinate
  whose gradient is 1e-4 of the largest in its block has m and v rounded to 0 every
  step, so each step is a first step without bias correction, ``(1 - beta_1) / sqrt(1 -
  beta_2)`` = 3.16 lr: 0.48 lr after 10 steps, 0.98 after 100, 2.5 after 1000, 3.15
  after 10,000, where Adam takes lr. Prefer bfloat16 where gradients within a block span
  orders of magnitude.

Each step decodes the moments to float32, updates them exactly as `adam.numpy.Adam`
does, computes the step from these float32 values, and only then rounds them for
storage. The parameter keeps its precision: the float32 step is added to it in its own
dtype (float64 stays float64). Where the stored sqrt(v) is 0 (it rounded to zero in its
block) the stored m is read as 0 too, so a stale momentum is never divided by epsilon
alone.

Checks and errors are those of the other optimizers: bad arguments raise, a failed step
changes nothing, a gradient whose square overflows float32 (|g| > 1.8e19, whatever the
parameter's dtype) raises `MomentOverflowError`, a beta that rounds to 1.0 in float32 is
refused, and `state_dict`/`load_state_dict` round-trip exactly (the stored codes and
scales); a checkpoint whose int8 scale would make v overflow float32 is refused at load.
"""

from __future__ import annotations

import dataclasses
import math
import numbers

import ml_dtypes
import numpy as np

from adam.hyperparameters import Hyperparameters
from adam.numpy.base import Optimizer
from adam.numpy.checks import MomentOverflowError, check_finite
from adam.numpy.fast import folded_scalars

STATES = ("bfloat16", "int8")
LARGEST_ROOT = math.sqrt(float(np.finfo(np.float32).max))  # sqrt(v) beyond: v is inf

#: Slot names per storage format. int8: codes per value, one float32 scale per block.
SLOTS = {
    "bfloat16": ("first_moment", "second_moment"),
    "int8": (
        "first_moment",
        "first_moment_scale",
        "root_second_moment",
        "root_second_moment_scale",
    ),
}
SLOT_DTYPES = {
    "first_moment": {"bfloat16": np.uint16, "int8": np.int8},
    "second_moment": {"bfloat16": np.uint16},
    "first_moment_scale": {"int8": np.float32},
    "root_second_moment": {"int8": np.uint8},
    "root_second_moment_scale": {"int8": np.float32},
}


@dataclasses.dataclass(frozen=True)
class CompactHyperparameters(Hyperparameters):
    """Adam's hyperparameters, plus the storage format of the moments and the block
    size."""

    state: str = "bfloat16"
    block: int = 256

    def __post_init__(self):
        super().__post_init__()
        if self.amsgrad:
            raise ValueError(
                "CompactAdam keeps no AMSGrad maximum: amsgrad must be False"
            )
        if not isinstance(self.state, str) or self.state not in STATES:
            raise ValueError(f"state must be one of {list(STATES)}, got {self.state!r}")
        block = self.block
        if (
            isinstance(block, bool)
            or not isinstance(block, numbers.Integral)
            or block < 2
        ):
            raise ValueError(f"block must be an integer >= 2, got {block!r}")
        object.__setattr__(self, "block", int(block))


# -- bfloat16 as uint16 ----------------------------------------------------------------
def to_bfloat16_bits(x: np.ndarray) -> np.ndarray:
    """float32 -> bfloat16 bits (uint16), rounded to nearest, ties to even
    (ml_dtypes)."""
    return np.asarray(x, np.float32).astype(ml_dtypes.bfloat16).view(np.uint16)


def to_bfloat16_bits_stochastic(x: np.ndarray, noise: np.ndarray) -> np.ndarray:
    """float32 -> bfloat16 bits (uint16), rounded up with probability equal to the
    fraction of an ulp dropped: `noise` holds uniform integers in [0, 2**16), one per
    value. Unbiased, so a running average whose increments are below half an ulp still
    moves, on average, as it should (rounding to nearest drops them all). Zero stays
    zero; a value within an ulp of the largest bfloat16 may round to inf (finite
    inputs). ml_dtypes rounds to nearest only, so this one is by hand: bfloat16 is the
    upper 16 bits of a float32, and adding the noise to the lower 16 carries into them
    with probability (lower bits) / 2**16."""
    bits = np.ascontiguousarray(x, np.float32).view(np.uint32)
    return (
        ((bits + noise.reshape(bits.shape)) >> np.uint32(16))
        .astype(np.uint16)
        .reshape(np.shape(x))
    )


def from_bfloat16_bits(bits: np.ndarray) -> np.ndarray:
    """bfloat16 bits (uint16) -> float32, exactly."""
    return np.asarray(bits, np.uint16).view(ml_dtypes.bfloat16).astype(np.float32)


# -- linear block-wise 8-bit codes -----------------------------------------------------
def _blocks(x: np.ndarray, block: int) -> np.ndarray:
    # A parameter smaller than a block is one block of its own size: the padding, and so
    # the cost, never exceeds the parameter's size (same codes and scales as padding to
    # `block` with zeros, which change no block's largest magnitude).
    flat = x.reshape(-1)
    block = max(1, min(block, flat.size))
    count = max(1, math.ceil(flat.size / block))
    padded = np.zeros(count * block, np.float32)
    padded[: flat.size] = flat
    return padded.reshape(count, block)


def quantize(x: np.ndarray, block: int, signed: bool) -> tuple[np.ndarray, np.ndarray]:
    """Codes (int8 in [-127, 127] or uint8 in [0, 255]) and one float32 scale per block:
    ``x ~ code * scale / levels``, rounded to the nearest level."""
    levels = 127 if signed else 255
    blocks = _blocks(x, block)
    scale = np.abs(blocks).max(axis=1)
    safe = np.where(scale > 0, scale, np.float32(1))
    codes = np.rint(blocks / safe[:, None] * np.float32(levels))
    codes = codes.astype(np.int8 if signed else np.uint8).reshape(-1)[: x.size]
    return codes.reshape(x.shape), scale.astype(np.float32)


def dequantize(codes: np.ndarray, scale: np.ndarray, block: int) -> np.ndarray:
    levels = np.float32(127 if codes.dtype == np.int8 else 255)
    flat = codes.reshape(-1).astype(np.float32)
    per_value = np.repeat(scale, min(block, flat.size))[: flat.size]
    return (flat * per_value / levels).reshape(codes.shape)


def blocks_for(size: int, block: int) -> int:
    return max(1, math.ceil(size / block))


def too_large(index: int, what: str) -> MomentOverflowError:
    """The error for grads[index]: too large for the float32 in which the step computes,
    whatever the parameter's dtype."""
    largest = float(np.finfo(np.float32).max)
    return MomentOverflowError(
        f"grads[{index}] is too large for CompactAdam, which computes its step in "
        f"float32: the {what} would overflow (largest float32 value {largest:.4g}, so "
        f"|gradient| must stay below about {math.sqrt(largest):.3g}) and "
        f"params[{index}] would never move again. Nothing was changed. Scale the loss "
        "or clip the gradients."
    )


class CompactAdam(Optimizer):
    """Adam with its moments stored as bfloat16 (4 bytes per parameter) or 8-bit
    block-wise codes (about 2), instead of float32 (8 bytes).

    >>> import numpy as np
    >>> w = np.zeros(1000, np.float32)
    >>> opt = CompactAdam(learning_rate=0.01, state="int8")
    >>> opt.step([w], [np.ones(1000, np.float32)])
    >>> opt.state_bytes()      # 1000 + 1000 one-byte codes, 4 + 4 float32 block scales
    2032

    Arguments are those of `adam.numpy.Adam` (no `amsgrad`), plus `state` ("bfloat16" or
    "int8") and `block` (values per block of the int8 format). Parameters keep their
    dtype and precision; the step is computed in float32.
    """

    hyperparameters_type = CompactHyperparameters
    compute_dtype = np.float32

    def __init__(
        self,
        learning_rate=0.001,
        beta_1=0.9,
        beta_2=0.999,
        epsilon=1e-8,
        weight_decay=0.0,
        bias_correction=True,
        epsilon_hat=False,
        *,
        state="bfloat16",
        block=256,
    ):
        # Every keyword by name, as Keras's adamw.py passes them on: each argument can
        # be followed from the signature to the one check. Alike in every optimizer of
        # the package, and deliberately so (`duplicates` lists these lists as pairs).
        super().__init__(
            CompactHyperparameters(
                learning_rate=learning_rate,
                beta_1=beta_1,
                beta_2=beta_2,
                epsilon=epsilon,
                weight_decay=weight_decay,
                bias_correction=bias_correction,
                epsilon_hat=epsilon_hat,
                state=state,
                block=block,
            )
        )

    @classmethod
    def slots_for(cls, hyperparameters):
        return SLOTS[hyperparameters.state]

    def __setattr__(self, name, value):
        if (
            name == "block"
            and self.__dict__.get("_slots") is not None
            and value != self.block
        ):
            raise ValueError(
                f"block={value!r} needs another layout of the state, built for "
                f"block={self.block}; set it before the first step, or start a "
                "new optimizer"
            )
        super().__setattr__(name, value)

    # -- the moments, decoded and encoded ----------------------------------------------
    def _empty_slots(self, params):
        h = self.hyperparameters
        if h.state == "bfloat16":
            return {
                name: [np.zeros(p.shape, np.uint16) for p in params]
                for name in SLOTS["bfloat16"]
            }
        scales = [np.zeros(blocks_for(p.size, h.block), np.float32) for p in params]
        return {
            "first_moment": [np.zeros(p.shape, np.int8) for p in params],
            "first_moment_scale": [s.copy() for s in scales],
            "root_second_moment": [np.zeros(p.shape, np.uint8) for p in params],
            "root_second_moment_scale": [s.copy() for s in scales],
        }

    def _decode(self, i):
        """m and v of parameter i, in float32."""
        h, s = self.hyperparameters, self._slots
        if h.state == "bfloat16":
            m = from_bfloat16_bits(s["first_moment"][i])
            v = from_bfloat16_bits(s["second_moment"][i])
        else:
            m = dequantize(s["first_moment"][i], s["first_moment_scale"][i], h.block)
            root = dequantize(
                s["root_second_moment"][i], s["root_second_moment_scale"][i], h.block
            )
            v = root * root
        return np.where(
            v > 0, m, np.float32(0)
        ), v  # no momentum without a second moment

    def _encode(self, m, v, rng, i):
        """The slots of parameter i for the new m and v (float32)."""
        h = self.hyperparameters
        if h.state == "bfloat16":
            # Near its equilibrium v moves by (1 - beta_2)(g**2 - v), a fraction of a
            # percent, below half an ulp of bfloat16 (0.2-0.4%): rounded to nearest it
            # would stall. Where rounding to nearest would drop the whole change, v is
            # rounded stochastically (unbiased); elsewhere to nearest (less noise). m
            # moves by 10% a step and is rounded to nearest.
            stored, v_bits = self._slots["second_moment"][i], to_bfloat16_bits(v)
            stalled = (v_bits == stored) & (v != from_bfloat16_bits(stored))
            noise = rng.integers(0, 2**16, size=v.size, dtype=np.uint32)
            v_bits = np.where(stalled, to_bfloat16_bits_stochastic(v, noise), v_bits)
            return {"first_moment": to_bfloat16_bits(m), "second_moment": v_bits}
        m_codes, m_scale = quantize(m, h.block, signed=True)
        v_codes, v_scale = quantize(np.sqrt(v), h.block, signed=False)
        return {
            "first_moment": m_codes,
            "first_moment_scale": m_scale,
            "root_second_moment": v_codes,
            "root_second_moment_scale": v_scale,
        }

    def moments(self) -> list[tuple[np.ndarray, np.ndarray]]:
        """(m, v) of each parameter in float32, as the next step will read them (an
        empty list before the first step)."""
        if self._slots is None:
            return []
        return [self._decode(i) for i in range(len(self._slots["first_moment"]))]

    # -- stepping ----------------------------------------------------------------------
    # `Optimizer.step` runs the checks, in float32 (`compute_dtype`), and makes the
    # slots with `_empty_slots`; `_apply` computes everything first and writes only at
    # the end.
    def _apply(self, params, grads) -> None:
        new_params, new_slots = self._compute(params, grads)
        for i, p in enumerate(params):  # every check passed: write
            p[...] = new_params[i]
        self._slots = new_slots

    def _check_layout(self, params):
        shapes, dtypes = self._params_layout
        for i, (p, shape) in enumerate(zip(params, shapes)):
            if p.shape == () and tuple(shape) == (1,) and dtypes is None:
                # a 0-d parameter's bfloat16 moments, saved as shape (1,) before
                for name in ("first_moment", "second_moment"):
                    self._slots[name][i] = self._slots[name][i].reshape(())
                shapes[i] = ()
        super()._check_layout(params)

    def _compute(self, params, grads):
        """New parameters and new encoded slots; raises before anything is written."""
        h = self.hyperparameters
        a, e = folded_scalars(h, self.iterations + 1)
        decay = 1 - h.learning_rate * h.weight_decay
        b1, b2 = np.float32(h.beta_1), np.float32(h.beta_2)
        # The rounding noise of step t depends on t alone: a resumed run draws the same.
        rng = np.random.Generator(np.random.Philox(key=self.iterations + 1))
        new_params, new_slots = [], {name: [] for name in self.slot_names()}
        for i, (p, g) in enumerate(zip(params, grads)):
            with np.errstate(over="ignore"):
                g = g.astype(np.float32)
            if not np.isfinite(g).all():  # finite in its dtype (checked), not float32
                raise too_large(i, "gradient itself")
            m, v = self._decode(i)
            with np.errstate(over="ignore", invalid="ignore"):
                m = b1 * m + np.float32(1 - h.beta_1) * g
                v = b2 * v + np.float32(1 - h.beta_2) * np.square(g)
                encoded = self._encode(m, v, rng, i)
            stored = (
                [from_bfloat16_bits(encoded["second_moment"])]
                if h.state == "bfloat16"
                else [encoded["root_second_moment_scale"]]
            )
            for name, value in (
                ("second moment", v),
                ("first moment", m),
                ("second moment", stored[0]),
            ):
                if not np.isfinite(value).all():
                    raise too_large(i, name)
            denominator = np.sqrt(v) + np.float32(e)
            with np.errstate(divide="ignore", invalid="ignore"):
                step = np.where(denominator > 0, m / denominator * np.float32(a), 0)
            # The step is float32; the parameter keeps its own precision (float64 stays
            # float64: 1 + 1e-12 and 1e300 survive), float16 is rounded once.
            wide = np.result_type(p.dtype, np.float32)
            updated = p.astype(wide) * wide.type(decay) - step
            new_params.append(updated.astype(p.dtype))
            for name in new_slots:
                new_slots[name].append(encoded[name])
        return new_params, new_slots

    # -- checkpoints -------------------------------------------------------------------
    def _layout_of(self, slots) -> tuple:
        # The codes say the shapes; the parameters' dtype is taken from the next step.
        return [a.shape for a in slots["first_moment"]], None

    def _check_slot_arrays(self, h, slots) -> None:
        """The codes, scales and bfloat16 bits of a loaded state (see `Optimizer`)."""
        # first_moment first: the other slots' shapes are read from its codes
        for slot in sorted(slots, key=lambda name: name != "first_moment"):
            for i, a in enumerate(slots[slot]):
                label = f"slots[{slot!r}][{i}]"
                codes = slots["first_moment"][i]
                want = np.dtype(SLOT_DTYPES[slot][h.state])
                if not isinstance(a, np.ndarray) or a.dtype != want:
                    raise ValueError(
                        f"malformed state dict: {label} must be a {want} array"
                    )
                if slot.endswith("_scale"):
                    shape = (blocks_for(codes.size, h.block),)
                    values = a
                else:
                    shape = codes.shape
                    values = from_bfloat16_bits(a) if h.state == "bfloat16" else None
                if a.shape != shape:
                    raise ValueError(
                        f"malformed state dict: {label} has shape {a.shape}, "
                        f"expected {shape}"
                    )
                if values is not None:
                    check_finite(f"state dict {label}", values)
                    if slot != "first_moment" and values.size and values.min() < 0:
                        raise ValueError(
                            f"corrupt state dict: {label} holds negative values"
                        )
                if slot == "root_second_moment_scale" and a.size:
                    with np.errstate(over="ignore"):
                        square = np.square(a.max())
                    if not np.isfinite(square):  # v = (code * scale / 255)**2
                        raise ValueError(
                            f"corrupt state dict: {label} holds {a.max():.4g}, whose "
                            "square (the second moment) overflows float32; a scale "
                            f"must stay below {LARGEST_ROOT:.4g}"
                        )
