"""Made for the stage (issue 12) under AppTest: the audience's photo from the camera, and scrubbing
back through a run's snapshots."""

from __future__ import annotations

import io

import numpy as np
from PIL import Image

from tests.test_app_studio import studio, tiny_run


def jpeg(size=(160, 120), colour=(30, 160, 40)) -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", size, colour).save(buf, format="JPEG")
    return buf.getvalue()


def captions(at) -> list[str]:
    return [c for img in at.image for c in img.captions]


# ============================================================================ camera
def test_the_camera_waits_behind_a_toggle(vgg_weights):
    at = studio(vgg_weights)
    assert len(at.camera_input) == 0  # no camera (no permission prompt) on a page load
    at.toggle(key="camera_on").set_value(True).run()
    assert not at.exception and len(at.camera_input) == 1
    assert at.camera_input(key="camera_content").resolution == "720p"  # not the widget's ~210 px width
    at.toggle(key="camera_on").set_value(False).run()
    assert len(at.camera_input) == 0


def test_a_camera_photo_becomes_the_content_photo(vgg_weights):
    at = studio(vgg_weights)
    at.toggle(key="camera_on").set_value(True).run()
    at.camera_input(key="camera_content").set_value(("image.jpg", jpeg(), "image/jpeg")).run()
    assert not at.exception and not at.error, [e.value for e in at.error]
    content = at.pills(key="pick_content")
    assert content.value == "camera 1" and "camera 1" in content.options
    assert "camera 1 · 160×120" in captions(at)
    assert at.session_state["uploads_content"]["camera 1"].origin == "upload"
    assert at.button(key="run").disabled is False

    # a second photo is "camera 2" and is picked; the first stays in the library
    at.camera_input(key="camera_content").set_value(None).run()
    assert at.pills(key="pick_content").value == "camera 1"
    at.camera_input(key="camera_content").set_value(("image.jpg", jpeg(colour=(9, 9, 200)), "image/jpeg")).run()
    content = at.pills(key="pick_content")
    assert content.value == "camera 2" and {"camera 1", "camera 2"} <= set(content.options)
    assert "camera 2 · 160×120" in captions(at)


def test_a_bad_camera_photo_gets_the_uploads_sentence_and_changes_nothing(vgg_weights):
    at = studio(vgg_weights)
    before = at.pills(key="pick_content").value
    at.toggle(key="camera_on").set_value(True).run()
    at.camera_input(key="camera_content").set_value(("image.jpg", b"not a picture at all", "image/jpeg")).run()
    assert not at.exception
    errors = [e.value for e in at.error]
    assert len(errors) == 1 and errors[0].startswith("camera 1 "), errors
    assert at.pills(key="pick_content").value == before
    assert "camera 1" not in at.pills(key="pick_content").options


# ============================================================================ scrub
def test_scrub_back_through_a_finished_run(vgg_weights):
    at = studio(vgg_weights)
    tiny_run(at, steps=12)
    assert not at.exception, at.exception
    job = at.session_state["job"]
    steps = [step for step, _ in job.snapshots()]
    assert steps[-1] == job.view().step == 12 and len(steps) >= 3, steps

    slider = at.select_slider(key=f"see_step.{job.id}")
    assert slider.label == "See step"
    assert slider.options == [str(s) for s in steps[:-1]] + ["latest"]
    assert slider.value == -1  # the latest: the final picture
    assert "Result · step 12" in captions(at)
    final = at.image[-1].value

    earlier = steps[1]
    slider.set_value(earlier).run()
    assert not at.exception, at.exception
    assert f"Step {earlier} of the run (the latest is step 12)" in captions(at), captions(at)
    assert "Result · step 12" not in captions(at)
    shown = [img for img in at.image if f"Step {earlier} of the run (the latest is step 12)" in img.captions]
    assert shown[0].value != final  # another picture (another media URL)
    frame = dict(job.snapshots())[earlier]
    assert not np.array_equal(frame, job.final.image)

    at.select_slider(key=f"see_step.{job.id}").set_value(-1).run()
    assert "Result · step 12" in captions(at)


# ============================================================================ replay
def test_a_run_is_recorded_and_the_recording_reads_back(vgg_weights):
    from nst.replay import Recording
    from ui.replays import recording_of

    at = studio(vgg_weights)
    tiny_run(at, steps=4)
    job = at.session_state["job"]
    rec = recording_of(job)
    assert rec is not None and rec.steps == [1, 2, 3, 4]
    back = Recording.from_bytes(rec.to_bytes())
    assert np.array_equal(back.result, job.final.image)
    assert any(b.label == "Recording" and not b.disabled for b in at.get("download_button"))


def test_the_demo_pack_replays_without_a_network_and_the_pages_read_it(vgg_weights):
    """Issue 12.2: a shipped recording plays in the Studio's live view (backbone None: no network
    step can run), joins the history, and the Gram page compares its result with its painting."""
    at = studio(vgg_weights)
    demo = at.pills(key="replay_demo")
    assert len(demo.options) >= 2
    demo.set_value(demo.options[0]).run()
    assert not at.error, [e.value for e in at.error]
    at.segmented_control(key="replay_speed").set_value("as fast as possible").run()
    at.button(key="replay_run").click().run()
    job = at.session_state["job"]
    assert job.backbone is None
    assert job.wait(60) and job.view().status == "finished", job.view().message
    steps = job.view().steps
    assert len(steps) >= 30 and len(job.snapshots()) >= 5  # the picture changed as it went
    at.run()
    assert not at.exception
    history = at.session_state["history"]
    assert len(history) == 1 and history[0].content.name in demo.options[0]
    at.switch_page("pages/gram_matrices.py").run()
    assert not at.exception, [e.value for e in at.exception]
    titles = " ".join(str(getattr(c, "value", "")) for c in at.caption)
    assert "made from" in titles


def test_a_broken_recording_is_one_sentence(vgg_weights):
    at = studio(vgg_weights)
    at.file_uploader(key="replay_upload").set_value(("talk.nstrun", b"PK\x03\x04 not really", "application/zip"))
    at.run()
    errors = [e.value for e in at.error]
    assert any(e.startswith("talk.nstrun is not a recording") for e in errors), errors
    assert not at.exception


def test_the_inspection_pages_look_at_the_scrubbed_step(vgg_weights):
    """Issue 12.3: a step chosen with See step is the result the Gram and feature-map pages show."""
    at = studio(vgg_weights)
    tiny_run(at, steps=12)
    job = at.session_state["job"]
    earlier = [step for step, _ in job.snapshots()][1]
    at.select_slider(key=f"see_step.{job.id}").set_value(earlier).run()
    at.switch_page("pages/feature_maps.py").run()
    assert not at.exception, [e.value for e in at.exception]
    at.segmented_control(key="fm_role").set_value("Result").run()
    text = " ".join(c.value for c in at.caption)
    assert f"step {earlier}, chosen with See step" in text, text
    at.switch_page("pages/studio.py").run()
    at.select_slider(key=f"see_step.{job.id}").set_value(-1).run()  # back to the latest
    at.switch_page("pages/feature_maps.py").run()
    at.segmented_control(key="fm_role").set_value("Result").run()
    text = " ".join(c.value for c in at.caption)
    assert "chosen with See step" not in text and "step 12" in text, text
