"""Command line: `python -m nst stylize CONTENT STYLE [STYLE ...] -o OUT.png`.

Bad input (missing file, not an image, bad setting, no weights) exits with code 2 and one line
on stderr; a run whose loss stops being finite saves the last finite image and exits with 1.
"""

from __future__ import annotations

import argparse
import os
import signal
import sys
import threading
import time
from pathlib import Path

from nst.backbones import BACKBONES
from nst.config import DEFAULT_LEARNING_RATES, PRESETS, ConfigError, StyleConfig, preset
from nst.knobs import KNOBS, Knob

EXIT_BAD_INPUT = 2
OUTPUT_FORMATS = {
    ".png": "PNG",
    ".jpg": "JPEG",
    ".jpeg": "JPEG",
    ".webp": "WEBP",
    ".bmp": "BMP",
    ".tif": "TIFF",
    ".tiff": "TIFF",
}


class UsageError(Exception):
    pass


class _Parser(argparse.ArgumentParser):
    def error(self, message: str):  # one line, exit 2, no usage dump
        raise UsageError(message)


def _floats(text: str) -> tuple[float, ...]:
    try:
        return tuple(float(v) for v in text.replace(" ", "").split(",") if v)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected comma-separated numbers, got {text!r}") from None


def _layer_weights(text: str) -> dict[str, float]:
    """'block1_conv1:1,block3_conv1:0.5' or 'block1_conv1,block2_conv1' (weight 1)."""
    out: dict[str, float] = {}
    for part in filter(None, text.replace(" ", "").split(",")):
        name, _, weight = part.partition(":")
        try:
            out[name] = float(weight) if weight else 1.0
        except ValueError:
            raise argparse.ArgumentTypeError(f"bad layer weight in {part!r}") from None
    return out


_PARSERS = {
    "int": int,
    "float": float,
    "layer": str,
    "layer_weights": _layer_weights,
    "fractions": _floats,
    "weights": _floats,
}


def _flag(knob: Knob) -> dict:
    """argparse keywords for a knob of the table: its type, choices, range and help."""
    kw: dict = {"dest": knob.name, "help": knob.help}
    if knob.kind == "bool":
        return {**kw, "action": argparse.BooleanOptionalAction, "default": None}
    if knob.kind == "choice":
        return {**kw, "choices": list(knob.choices)}
    if knob.kind in ("int", "float"):
        low = "the backbone's minimum" if knob.low is None else f"{knob.low:g}"
        kw["help"] = f"{knob.help} ({low}–{knob.high:g})"
        kw["metavar"] = "SECONDS" if knob.name == "time_limit" else ("N" if knob.integer else "X")
    else:
        kw["metavar"] = {"layer": "LAYER", "layer_weights": "LAYER:W,…", "fractions": "F,…", "weights": "W,…"}[
            knob.kind
        ]
    return {**kw, "type": _PARSERS[knob.kind]}


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="python -m nst", description="Neural style transfer (Gatys et al.) on VGG19.")
    sub = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)

    st = sub.add_parser("stylize", help="paint CONTENT in the style of STYLE(s)")
    st.add_argument("content", help="content image (photo)")
    st.add_argument("styles", nargs="+", metavar="style", help="one or more style images (paintings)")
    st.add_argument("-o", "--output", required=True, help="result image (.png, .jpg, .webp)")
    st.add_argument("--preset", choices=list(PRESETS), default="balanced", help="starting settings (default: balanced)")
    st.add_argument("--config", help="load settings from a JSON file (applied over the preset)")
    st.add_argument("--save-config", metavar="FILE", help="write the run's settings as JSON")
    for knob in KNOBS.values():
        if knob.flags:
            st.add_argument(*knob.flags, **_flag(knob))
    st.add_argument(
        "--weights", help="path of the backbone's Keras weights file (else $NST_WEIGHTS, the Keras cache, download)"
    )
    st.add_argument("--gif", metavar="FILE", help="also write an animated GIF of the run")
    st.add_argument("-q", "--quiet", action="store_true", help="no progress bar")

    ly = sub.add_parser("layers", help="list a backbone's layers with shapes and receptive fields")
    ly.add_argument("--backbone", default="vgg19", choices=list(BACKBONES))
    ly.add_argument("--size", type=int, default=384)
    ly.add_argument("--weights")

    sub.add_parser("presets", help="print the presets as JSON")
    return parser


def config_from_args(args: argparse.Namespace) -> StyleConfig:
    """Preset, then --config file, then explicit flags; validated."""
    cfg = preset(args.preset)
    if args.config:
        path = Path(args.config)
        if not path.is_file():
            raise ConfigError(f"config file {args.config} does not exist.")
        cfg = StyleConfig.from_json(path.read_bytes())
    changes = {k: getattr(args, k) for k in KNOBS if getattr(args, k, None) is not None}
    if "optimizer" in changes and "learning_rate" not in changes and changes["optimizer"] != cfg.optimizer:
        changes["learning_rate"] = DEFAULT_LEARNING_RATES[changes["optimizer"]]
    if "backbone" in changes and changes["backbone"] != cfg.backbone:
        from nst.backbones import get_spec

        spec = get_spec(changes["backbone"])
        changes.setdefault("content_layer", spec.content_layer)
        changes.setdefault("style_layers", {name: 1.0 for name in spec.style_layers})
    return cfg.replace(**changes).validate(n_styles=len(getattr(args, "styles", [None])))


def _check_output(path: str, what: str) -> None:
    p = Path(path)
    if what == "image" and p.suffix.lower() not in OUTPUT_FORMATS:
        raise UsageError(f"output {path} must end in {', '.join(sorted(OUTPUT_FORMATS))}.")
    if what == "gif" and p.suffix.lower() != ".gif":
        raise UsageError(f"--gif {path} must end in .gif.")
    parent = p.parent if str(p.parent) else Path(".")
    if not parent.is_dir():
        raise UsageError(f"cannot write {path}: folder {parent} does not exist.")
    if not os.access(parent, os.W_OK):
        raise UsageError(f"cannot write {path}: folder {parent} is not writable.")


class ProgressBar:
    """One line on stderr: bar, step, steps/s, time left, losses. Plain lines when not a TTY."""

    def __init__(self, stream=sys.stderr, width: int = 24):
        self.stream, self.width = stream, width
        self.tty = stream.isatty()
        self._last_print = 0.0

    def update(self, p) -> None:
        rate = p.step / p.elapsed if p.elapsed > 0 else 0.0
        left = p.seconds_left if p.seconds_left is not None else 0.0
        done = int(self.width * min(1.0, p.done))
        bar = "█" * done + "·" * (self.width - done)
        losses = "  ".join(f"{k} {v:.3g}" for k, v in p.losses.items())
        line = (
            f"[{bar}] {p.step}/{p.total_steps}  {p.size[1]}×{p.size[0]}  {rate:.2f} steps/s  "
            f"left {int(left) // 60}:{int(left) % 60:02d}  {losses}"
        )
        if self.tty:
            self.stream.write("\r" + line[:200] + "\033[K")
            self.stream.flush()
        elif p.step == p.total_steps or time.monotonic() - self._last_print > 5:
            self._last_print = time.monotonic()
            print(line, file=self.stream, flush=True)

    def close(self) -> None:
        if self.tty:
            self.stream.write("\n")
            self.stream.flush()


def _save(image, path: str) -> None:
    from PIL import Image

    fmt = OUTPUT_FORMATS[Path(path).suffix.lower()]
    Image.fromarray(image).save(path, format=fmt)


def cmd_stylize(args: argparse.Namespace) -> int:
    from nst.images import encode_gif, load_image

    config = config_from_args(args)
    _check_output(args.output, "image")
    if args.gif:
        _check_output(args.gif, "gif")
    if args.save_config:
        _check_output(args.save_config, "config")
    content = load_image(args.content)
    styles = [load_image(path) for path in args.styles]
    from nst.backbones import get_spec
    from nst.plan import stage_sizes

    stage_sizes(config, content.shape, get_spec(config.backbone).min_side)  # too thin → ConfigError now
    if args.save_config:
        Path(args.save_config).write_text(config.to_json())
    # TensorFlow loads only now, so bad input is reported at once.
    from nst.backbones import load_backbone
    from nst.cost import cost_model
    from nst.transfer import Result, plan_run, stylize, warm_up

    backbone = load_backbone(config.backbone, weights=args.weights, precision=config.precision)
    if not args.quiet:
        print(f"{backbone.describe()} · weights from {backbone.weights_origin}", file=sys.stderr)
    cost = cost_model(backbone)  # measured once per machine (a few seconds), then read from the cache
    plan = plan_run(config, content.shape, [s.shape for s in styles], backbone, cost)  # refuses what won't fit
    warm_up(backbone)  # before the estimate, which counts steps, not the first trace
    if not args.quiet:
        print(f"Plan: {plan.describe()} · about {plan.seconds(cost, len(styles)):.0f} s here", file=sys.stderr)

    stop = threading.Event()
    previous = signal.signal(signal.SIGINT, lambda *_: stop.set())  # Ctrl-C: finish the step, save
    bar = None if args.quiet else ProgressBar()
    frames = []
    result = None
    try:
        for event in stylize(content, styles, config, backbone, stop, cost=cost, plan=plan):
            if isinstance(event, Result):
                result = event
            else:
                if event.image is not None and args.gif:
                    frames.append(event.image)
                if bar:
                    bar.update(event)
    finally:
        signal.signal(signal.SIGINT, previous)
        if bar:
            bar.close()
    _save(result.image, args.output)
    if args.gif:
        Path(args.gif).write_bytes(encode_gif([*frames, result.image]))
    h, w = result.image.shape[:2]
    print(f"{result.message} Wrote {args.output} ({w}×{h}) in {result.elapsed:.1f} s.", file=sys.stderr)
    if result.warning:
        print(f"warning: {result.warning}", file=sys.stderr)
    if result.status == "diverged":
        return 1
    return 130 if result.status == "stopped" else 0


def cmd_layers(args: argparse.Namespace) -> int:
    from nst.backbones import load_backbone

    backbone = load_backbone(args.backbone, weights=args.weights)
    print(f"{'layer':<14} {'output (h×w×c)':>18} {'receptive field':>16}")
    for info in backbone.layer_catalogue(args.size, args.size):
        h, w, c = info.shape
        print(f"{info.name:<14} {f'{h}×{w}×{c}':>18} {f'{info.receptive_field} px':>16}")
    return 0


def cmd_presets(_: argparse.Namespace) -> int:
    import json

    print(json.dumps({name: preset(name).to_dict() for name in PRESETS}, indent=2))
    return 0


def main(argv: list[str] | None = None) -> int:
    from nst.images import ImageError
    from nst.weights import WeightsError

    try:
        args = build_parser().parse_args(argv)
        return {"stylize": cmd_stylize, "layers": cmd_layers, "presets": cmd_presets}[args.command](args)
    except (UsageError, ImageError, ConfigError, WeightsError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_BAD_INPUT
    except MemoryError:
        print("error: out of memory; try a smaller --size.", file=sys.stderr)
        return EXIT_BAD_INPUT
    except OSError as exc:  # writing the output, reading a file that vanished
        print(f"error: {exc.strerror or exc}: {exc.filename or ''}".rstrip(": "), file=sys.stderr)
        return EXIT_BAD_INPUT


if __name__ == "__main__":
    sys.exit(main())
