"""Every setting of a run, described once: its name, label, kind, range, step and help.

`StyleConfig.validate` checks values against this table, the CLI builds its flags from it, and the
Studio's settings panel draws its widgets, labels and error messages from it. Adding a knob means
a field in `StyleConfig`, a row here, and the code that uses the value; nothing else.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from nst.backbones import BACKBONES
from nst.device import PRECISIONS

OPTIMIZERS = ("lbfgs", "adam", "sgd")
INITS = ("content", "noise", "noisy_content")


@dataclass(frozen=True)
class Knob:
    """One setting. `low`/`high` bound what `validate` accepts; `widget` is the narrower range a
    slider offers (low, high, step) when it differs; `flags` are its command-line spellings
    (none: not on the command line); `tab` is where the settings panel edits it."""

    name: str
    label: str
    kind: str  # "int", "float", "bool", "choice", "layer", "layer_weights", "fractions", "weights"
    help: str = ""
    low: float | None = None
    high: float | None = None
    step: float | None = None
    choices: dict[str, str] = field(default_factory=dict)  # value → label
    widget: tuple[float, float, float] | None = None
    flags: tuple[str, ...] = ()
    tab: str | None = None

    @property
    def integer(self) -> bool:
        return self.kind == "int"


_PICTURE, _LOSS, _LAYERS, _OPTIMISER = "Picture", "Loss", "Layers", "Optimiser"

KNOBS: dict[str, Knob] = {
    k.name: k
    for k in (
        Knob(
            "backbone",
            "Backbone",
            "choice",
            "The network whose features are compared. VGG19 is what everything is tuned for; the others "
            "need their own weights file.",
            choices={name: spec.label for name, spec in BACKBONES.items()},
            flags=("--backbone",),
            tab=_LAYERS,
        ),
        Knob(
            "max_side",
            "Size (long side, px)",
            "int",
            "The result's long side in pixels. Cost grows with the pixel count.",
            low=None,  # the backbone's own minimum
            high=2048,
            step=16,
            widget=(64, 1024, 16),
            flags=("--size",),
            tab=_PICTURE,
        ),
        Knob(
            "content_layer",
            "Content layer",
            "layer",
            "The layer whose features the result shares with the photo: deeper layers keep the layout but "
            "free the details.",
            flags=("--content-layer",),
            tab=_LAYERS,
        ),
        Knob(
            "style_layers",
            "Style layers",
            "layer_weights",
            "The layers whose Gram matrices are matched to the painting's, each with its weight "
            "(e.g. block1_conv1:1,block2_conv1:0.5).",
            low=0,
            high=1e6,
            widget=(0.0, 2.0, 0.05),
            flags=("--style-layers",),
            tab=_LAYERS,
        ),
        Knob(
            "fine_stage",
            "Brushwork at full size",
            "bool",
            "In the full-size stage of a coarse-to-fine run, the shallow style layers count more and the deep "
            "ones less (the factors are on the Theory page): the coarse stages have made the painting's large "
            "shapes, the full size makes its brushwork.",
            flags=("--fine-stage",),
            tab=_LAYERS,
        ),
        Knob(
            "content_weight",
            "Content weight α",
            "float",
            "Weight of the content loss Σ(F−P)²/ΣP².",
            low=0,
            high=1e12,
            step=0.1,
            flags=("--content-weight",),
            tab=_LOSS,
        ),
        Knob(
            "style_weight",
            "Style weight β",
            "float",
            "Weight of the style loss Σ w_l Σ(G−A)²/ΣA².",
            low=0,
            high=1e12,
            step=0.1,
            flags=("--style-weight",),
            tab=_LOSS,
        ),
        Knob(
            "tv_weight",
            "TV weight",
            "float",
            "Total variation (mean |Δx| of pixels in 0…1): smooths high-frequency noise.",
            low=0,
            high=1e12,
            step=0.1,
            flags=("--tv-weight",),
            tab=_LOSS,
        ),
        Knob(
            "style_blend",
            "Style blend",
            "weights",
            "How much of each painting when several are blended, one weight each (e.g. 0.7,0.3).",
            low=0,
            widget=(0.0, 1.0, 0.05),
            flags=("--style-blend",),
        ),
        Knob(
            "style_scale",
            "Style scale",
            "float",
            "Size of the painting relative to the result: larger → bigger brush strokes.",
            low=0.1,
            high=4.0,
            widget=(0.25, 2.0, 0.05),
            flags=("--style-scale",),
            tab=_PICTURE,
        ),
        Knob(
            "preserve_colours",
            "Preserve the content's colours",
            "bool",
            "Keep the photo's colours; take only the painting's strokes and texture (luminance).",
            flags=("--preserve-colours", "--preserve-colors"),
            tab=_PICTURE,
        ),
        Knob(
            "optimizer",
            "Optimiser",
            "choice",
            "L-BFGS needs the fewest steps; Adam and SGD are the course's classics.",
            choices={"lbfgs": "L-BFGS", "adam": "Adam", "sgd": "SGD (exponential decay)"},
            flags=("--optimizer",),
            tab=_OPTIMISER,
        ),
        Knob(
            "learning_rate",
            "Learning rate",
            "float",
            "L-BFGS: step scale (1 = full quasi-Newton step). Adam: grey levels per step. SGD: multiplies "
            "the raw gradient.",
            low=1e-6,
            high=1e4,
            flags=("--lr", "--learning-rate"),
            tab=_OPTIMISER,
        ),
        Knob(
            "adam_beta1",
            "β₁",
            "float",
            "Adam's memory of past gradients (momentum): 0.9 averages over about the last 10 steps.",
            low=0,
            high=0.9999,
            step=0.01,
            flags=("--adam-beta1",),
            tab=_OPTIMISER,
        ),
        Knob(
            "adam_beta2",
            "β₂",
            "float",
            "Adam's memory of past squared gradients, which sets each pixel's own step size: 0.999 averages "
            "over about the last 1000 steps.",
            low=0,
            high=0.99999,
            step=0.001,
            flags=("--adam-beta2",),
            tab=_OPTIMISER,
        ),
        Knob(
            "adam_epsilon",
            "ε",
            "float",
            "Added to Adam's step-size divisor so flat pixels do not get huge steps; larger is calmer.",
            low=1e-12,
            high=1e3,
            flags=("--adam-epsilon",),
            tab=_OPTIMISER,
        ),
        Knob(
            "sgd_decay_rate",
            "Decay rate",
            "float",
            "SGD: the learning rate is multiplied by this…",
            low=0.01,
            high=1.0,
            step=0.01,
            flags=("--sgd-decay-rate",),
            tab=_OPTIMISER,
        ),
        Knob(
            "sgd_decay_steps",
            "Decay steps",
            "int",
            "…every this many steps.",
            low=1,
            high=1_000_000,
            step=10,
            flags=("--sgd-decay-steps",),
            tab=_OPTIMISER,
        ),
        Knob(
            "lbfgs_history",
            "L-BFGS memory (pairs)",
            "int",
            "How many recent steps L-BFGS remembers to estimate the loss's curvature: more pairs, better steps, "
            "one image-sized copy more per pair in memory.",
            low=1,
            high=100,
            step=1,
            flags=("--lbfgs-history",),
            tab=_OPTIMISER,
        ),
        Knob(
            "epochs",
            "Epochs",
            "int",
            "The course's outer loop: the run makes Epochs × Steps per epoch optimiser steps in all (split "
            "evenly over the stages). An epoch here is just a group of steps, not a pass over data.",
            low=1,
            high=1000,
            step=1,
            flags=("--epochs",),
            tab=_OPTIMISER,
        ),
        Knob(
            "steps_per_epoch",
            "Steps per epoch",
            "int",
            "Optimiser steps in each epoch; each step computes the loss and its gradient once.",
            low=1,
            high=10_000,
            step=10,
            flags=("--steps",),
            tab=_OPTIMISER,
        ),
        Knob(
            "scales",
            "Coarse stages before full size",
            "fractions",
            "Optimise at fractions of the size first, then upsample and continue (e.g. 0.5,1): a step at ½ "
            "costs a quarter of one at full size, so most steps are cheap. Full size always runs last.",
            low=0.1,
            high=1.0,
            flags=("--scales",),
            tab=_PICTURE,
        ),
        Knob(
            "init",
            "Start from",
            "choice",
            "The picture the optimiser starts from: the photo, white noise, or the photo with noise.",
            choices={"content": "Content", "noise": "Noise", "noisy_content": "Noisy content"},
            flags=("--init",),
            tab=_PICTURE,
        ),
        Knob(
            "noise_ratio",
            "Noise share",
            "float",
            "How much of the starting picture is random noise (the rest is the photo): more noise, more freedom "
            "for the painting's textures, less of the photo's fine detail.",
            low=0,
            high=1,
            step=0.05,
            flags=("--noise-ratio",),
            tab=_PICTURE,
        ),
        Knob(
            "seed",
            "Seed",
            "int",
            "Same seed, same settings, same images → the same result.",
            low=0,
            high=2**31 - 1,
            step=1,
            flags=("--seed",),
            tab=_PICTURE,
        ),
        Knob(
            "precision",
            "Precision",
            "choice",
            "bfloat16 is about twice as fast on CPUs with AVX512-BF16/AMX and looks the same; elsewhere it is "
            "emulated and ten times slower, so Auto picks float32 there.",
            choices=dict(
                zip(
                    PRECISIONS,
                    ("Auto (fastest here)", "float32", "bfloat16 (mixed)", "float16 (mixed, GPU)"),
                    strict=True,
                )
            ),
            flags=("--precision",),
            tab=_OPTIMISER,
        ),
        Knob(
            "preview_every",
            "Picture every N steps",
            "int",
            "How often a run hands out its current picture.",
            low=1,
            high=10_000,
        ),
        Knob(
            "time_limit",
            "Finish within",
            "float",
            "Finish within this many seconds at the full size: the stages are planned from this machine's "
            "measured speed, coarse stages give way first.",
            low=0.1,
            high=86_400,
            flags=("--time-limit",),
        ),
    )
}
LABELS: dict[str, str] = {name: knob.label for name, knob in KNOBS.items()}
