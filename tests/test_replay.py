"""Recorded runs (issue 12.2): record a real run, write and read the file, replay it in a job
without the network, and refuse broken or hostile files with one sentence."""

from __future__ import annotations

import io
import time
import zipfile

import numpy as np
import pytest

from nst.config import StyleConfig
from nst.jobs import Job
from nst.replay import MAX_ENTRIES, Recording, Replay, ReplayError, record_run


@pytest.fixture(scope="module")
def recording(backbone, content_image, style_image) -> Recording:
    config = StyleConfig(max_side=96, steps_per_epoch=10, scales=(0.5, 1.0), preview_every=2)
    return record_run(content_image, [style_image], config, backbone, "photo", ["painting"])


def test_a_run_is_recorded_whole(recording):
    rec = recording
    assert rec.steps == list(range(1, 11)) and len(rec.times) == 10 and rec.times == sorted(rec.times)
    assert set(rec.losses) >= {"total", "content", "style"} and all(len(v) == 10 for v in rec.losses.values())
    assert [s.side for s in rec.plan.stages] == [48, 96]
    assert [step for step, _ in rec.frames] == [1, 2, 4, 6, 8, 10]  # the first, every 2nd
    assert rec.result is not None and max(rec.result.shape[:2]) == 96 and rec.status == "finished"


def test_the_file_reads_back_the_same(recording):
    data = recording.to_bytes()
    back = Recording.from_bytes(data)
    assert back.steps == recording.steps
    assert all(back.losses[k] == pytest.approx(v) for k, v in recording.losses.items())
    assert back.plan.marks() == recording.plan.marks()
    assert [s for s, _ in back.frames] == [s for s, _ in recording.frames]
    assert np.array_equal(back.result, recording.result)  # PNG: exact
    assert back.label == "photo × painting" and back.config == recording.config


def test_a_replay_runs_no_network_and_keeps_the_pace(recording):
    """backbone=None: the replay cannot touch a network, yet the job shows the run step by step."""
    job = Job([Replay(recording, speed=1.0)], backbone=None)
    t0 = time.perf_counter()
    job.execute()
    took = time.perf_counter() - t0
    view = job.view()
    assert view.status == "finished" and view.steps == recording.steps
    assert view.curves["total"] == pytest.approx(recording.losses["total"])
    assert view.marks == recording.plan.marks()
    assert [s for s, _ in job.snapshots()] == [1, 2, 4, 6, 8, 10]
    assert took >= 0.8 * recording.times[-1]  # paced like the run
    fast = Job([Replay(recording, speed=0.0)], backbone=None)
    t0 = time.perf_counter()
    fast.execute()
    assert fast.view().status == "finished" and time.perf_counter() - t0 < max(1.0, recording.times[-1])


def test_a_replay_stops_at_once(recording):
    job = Job([Replay(recording, speed=0.01)], backbone=None)  # 100× slower than the run
    job.stop_event.set()
    job.status = "running"
    events = list(Replay(recording, speed=0.01).events(None, job.stop_event))
    assert events[-1].status == "stopped" and len(events) == 1


def _zip(files: dict[str, bytes]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        for name, data in files.items():
            z.writestr(name, data)
    return buf.getvalue()


def _with(recording: Recording, **replace: bytes) -> bytes:
    with zipfile.ZipFile(io.BytesIO(recording.to_bytes())) as z:
        files = {n: z.read(n) for n in z.namelist()}
    files.update(replace)
    return _zip(files)


@pytest.mark.parametrize(
    ("make", "words"),
    [
        (lambda rec: b"not a zip at all", "is not a recording"),
        (lambda rec: rec.to_bytes()[:2000], "is not a recording"),
        (lambda rec: _zip({"hello.txt": b"hi"}), "has no run.json"),
        (lambda rec: _with(rec, **{"run.json": b'{"format": "something else"}'}), "is not a recording"),
        (lambda rec: _with(rec, **{"run.json": b"[" * 100_000}), "cannot be played"),
        (lambda rec: _with(rec, **{"frames/0000.jpg": b"<html>"}), "cannot be played"),
        (lambda rec: _zip({f"f{i}": b"" for i in range(MAX_ENTRIES + 1)}), "holds more than a recording can"),
    ],
    ids=["not_zip", "truncated", "no_json", "wrong_format", "nested_json", "bad_frame", "too_many_entries"],
)
def test_a_bad_recording_is_one_sentence(recording, make, words):
    with pytest.raises(ReplayError) as err:
        Recording.from_bytes(make(recording), name="demo.nstrun")
    message = str(err.value)
    assert words in message and "\n" not in message and "Traceback" not in message
