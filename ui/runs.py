"""What Run needs and how it starts: one check of its preconditions, used to draw the button and
again on its click, and one starter for the Studio and the presentation view."""

from __future__ import annotations

from dataclasses import dataclass

from nst.backbones import Backbone
from nst.config import StyleConfig
from nst.jobs import Job
from nst.plan import Plan
from ui import replays, resources, state
from ui.state import Picture


@dataclass(frozen=True)
class Readiness:
    """What Run would do now, or why it cannot: the same answer for the button and its click."""

    problems: list[str]
    backbone: Backbone | None
    plan: Plan | None


def run_readiness(
    content: Picture | None,
    styles: list[Picture],
    config: StyleConfig | None,
    config_error: str | None,
) -> Readiness:
    """Everything Run needs, checked in order: pictures, valid settings, weights, the model, and a
    plan that fits this machine's time and memory."""
    problems = []
    if content is None:
        problems.append("Pick or upload a content photo.")
    if not styles:
        problems.append("Pick or upload at least one style painting.")
    if config is None:
        if styles:
            problems.append(config_error or "Check the settings.")
        return Readiness(problems, None, None)
    missing = resources.weights_problem(config.backbone)
    if missing:
        return Readiness([*problems, missing], None, None)
    backbone = resources.get_backbone(config.backbone, config.precision, show_error=False)
    if backbone is None:
        return Readiness([*problems, "The model could not be loaded; see the server log."], None, None)
    if problems:
        return Readiness(problems, backbone, None)
    plan, cannot = resources.plan_or_problem(backbone, config, content.image, [s.image for s in styles])
    return Readiness([cannot] if cannot else [], backbone, plan)


def start_run(
    content: Picture | None, styles: list[Picture], config: StyleConfig | None, config_error: str | None = None
) -> bool:
    """Run: the checks that drew the button, made again on the click (a click can arrive from a page
    that had not redrawn yet, or a forged message), then the recorded run in the session's RUN slot."""
    ready = run_readiness(content, styles, config, config_error)
    if ready.problems or ready.plan is None:
        state.RUN.refuse(" ".join(ready.problems) or "Run cannot start now.")
        return False
    job = Job([replays.recorded_run(content, styles, config)], ready.backbone)
    return state.RUN.start(job, inputs=(content, styles, config))
