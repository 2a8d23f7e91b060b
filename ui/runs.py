"""What Run needs: one check of its preconditions, used to draw the button and again on its click
(the job itself starts through `ui.state.RUN`)."""

from __future__ import annotations

from dataclasses import dataclass

from nst.backbones import Backbone
from nst.config import StyleConfig
from nst.plan import Plan
from ui import resources
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
