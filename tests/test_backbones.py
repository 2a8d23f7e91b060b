"""Backbone registry, layer catalogue, and where the weights come from."""

from __future__ import annotations

import os
import re
import time
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pytest

from nst.backbones import BACKBONES, load_backbone
from nst.weights import WeightsError, resolve_weights

VGG19 = BACKBONES["vgg19"]


@pytest.fixture
def no_weights_env(monkeypatch, tmp_path):
    """No NST_WEIGHTS, an empty Keras cache, downloads off."""
    monkeypatch.delenv("NST_WEIGHTS", raising=False)
    monkeypatch.setenv("KERAS_HOME", str(tmp_path / "keras"))
    monkeypatch.setenv("NST_OFFLINE", "1")
    return tmp_path


def test_explicit_path_is_checked_and_used(vgg_weights, no_weights_env):
    src = resolve_weights("VGG19", VGG19.weights, str(vgg_weights))
    assert src.path == str(vgg_weights) and src.origin == "the weights option"


def test_env_var_file_or_folder(vgg_weights, no_weights_env, monkeypatch):
    monkeypatch.setenv("NST_WEIGHTS", str(vgg_weights))
    assert resolve_weights("VGG19", VGG19.weights).origin == "NST_WEIGHTS"
    monkeypatch.setenv("NST_WEIGHTS", str(vgg_weights.parent))
    assert resolve_weights("VGG19", VGG19.weights).path == str(vgg_weights.parent / VGG19.weights.filename)


def test_keras_cache_is_found_without_download(vgg_weights, no_weights_env):
    cache = no_weights_env / "keras" / "models"
    cache.mkdir(parents=True)
    os.symlink(vgg_weights, cache / VGG19.weights.filename)
    assert resolve_weights("VGG19", VGG19.weights).origin == "Keras cache"


def test_no_weights_gives_one_instruction(no_weights_env):
    with pytest.raises(WeightsError) as err:
        resolve_weights("VGG19", VGG19.weights)
    msg = str(err.value)
    assert "Put vgg19_weights_tf_dim_ordering_tf_kernels_notop.h5" in msg and "NST_WEIGHTS" in msg
    assert str(no_weights_env / "keras" / "models") in msg and "\n" not in msg


def test_missing_env_path_is_named(no_weights_env, monkeypatch):
    monkeypatch.setenv("NST_WEIGHTS", "/nowhere/vgg19.h5")
    with pytest.raises(WeightsError, match=re.escape("NST_WEIGHTS=/nowhere/vgg19.h5 does not exist")):
        resolve_weights("VGG19", VGG19.weights)


def test_truncated_or_wrong_file_is_refused(vgg_weights, no_weights_env):
    bad = no_weights_env / VGG19.weights.filename
    with open(vgg_weights, "rb") as src, open(bad, "wb") as dst:
        dst.write(src.read(1 << 20))
    with pytest.raises(WeightsError, match="not the official VGG19 weights file"):
        resolve_weights("VGG19", VGG19.weights, str(bad))
    with pytest.raises(WeightsError, match="not the official VGG19"):
        load_backbone("vgg19", weights=str(bad))


def test_env_file_of_another_name_and_wrong_content(no_weights_env, monkeypatch):
    other = no_weights_env / "weights.h5"
    other.write_bytes(b"\x89HDF\r\n" + b"0" * 100)
    monkeypatch.setenv("NST_WEIGHTS", str(other))
    with pytest.raises(WeightsError, match="is not the VGG19 file"):
        resolve_weights("VGG19", VGG19.weights)


def test_default_backbone_never_falls_back_to_random(no_weights_env):
    with pytest.raises(WeightsError):
        load_backbone("vgg19")


def test_vgg19_catalogue_shapes_and_receptive_fields(backbone):
    cat = {info.name: info for info in backbone.layer_catalogue(96, 128)}
    assert list(cat) == list(VGG19.layers) and len(cat) == 16
    assert cat["block1_conv1"].shape == (96, 128, 64) and cat["block1_conv1"].receptive_field == 3
    assert cat["block3_conv1"].shape == (24, 32, 256) and cat["block3_conv1"].receptive_field == 24
    assert cat["block5_conv4"].shape == (6, 8, 512) and cat["block5_conv4"].receptive_field == 252
    assert backbone.source.origin in ("the weights option", "NST_WEIGHTS")


def test_backbone_is_loaded_once(vgg_weights, backbone):
    """The fixture forces float32; the default (auto) is bfloat16 on a CPU with native bf16, another object."""
    assert load_backbone("vgg19", weights=str(vgg_weights), precision="float32") is backbone


def test_memo_builds_each_object_once_across_threads(backbone):
    calls = []
    key = ("test_memo", id(calls))

    def build():
        calls.append(1)
        time.sleep(0.05)  # long enough for the other threads to ask meanwhile
        return object()

    with ThreadPoolExecutor(4) as pool:
        got = list(pool.map(lambda _: backbone.memo(key, build), range(8)))
    assert len(calls) == 1 and all(g is got[0] for g in got)
    assert backbone.memo(key, build) is got[0] and len(calls) == 1


def test_extractor_stops_at_deepest_layer(backbone):
    ex = backbone.extractor(("block1_conv1", "block3_conv1"))
    names = [layer.name for layer in ex.layers]
    assert "block3_conv1" in names and "block3_conv2" not in names and "block5_conv1" not in names


@pytest.mark.parametrize("name", ["vgg16", "inception_v3"])
def test_other_backbones_are_wired(name, content_image, style_image):
    """Only VGG19's weights exist here: the others are checked with random weights (tests only)."""
    from nst.config import StyleConfig
    from nst.transfer import run

    spec = BACKBONES[name]
    bb = load_backbone(name, random_weights_for_tests=True, precision="float32")
    cat = bb.layer_catalogue(128, 128)
    assert [c.name for c in cat] == list(spec.layers)
    assert all(c.shape[2] > 0 and c.receptive_field > 0 for c in cat)
    assert [c.receptive_field for c in cat] == sorted(c.receptive_field for c in cat)
    cfg = StyleConfig(
        backbone=name,
        content_layer=spec.content_layer,
        style_layers={n: 1.0 for n in spec.style_layers},
        max_side=128,
        steps_per_epoch=3,
        scales=(1.0,),
        precision="float32",
    )
    result = run(content_image, [style_image], cfg, bb)
    assert result.status == "finished" and result.image.shape[2] == 3
    assert np.isfinite([h["total"] for h in result.history]).all()


def test_other_backbones_need_their_own_weights(no_weights_env, vgg_weights, monkeypatch):
    monkeypatch.setenv("NST_WEIGHTS", str(vgg_weights))  # a VGG19 file is not InceptionV3's
    with pytest.raises(WeightsError, match=re.escape("inception_v3_weights_tf_dim_ordering_tf_kernels_notop.h5")):
        load_backbone("inception_v3")


# ------------------------------------------------------------------ the app's explicit download
VGG19_PATH = "/vgg19/" + VGG19.weights.filename


def test_download_fetches_checks_and_fills_the_keras_cache(vgg_weights, no_weights_env, monkeypatch):
    from nst.weights import start_download
    from tests.weights_mirror import mirror

    monkeypatch.setenv("NST_OFFLINE", "0")
    with mirror({VGG19_PATH: vgg_weights}) as (base, requests):
        monkeypatch.setenv("NST_WEIGHTS_MIRROR", base)
        download = start_download("VGG19", VGG19.weights)
        assert start_download("VGG19", VGG19.weights) is download or not download.active  # shared while running
        assert download.wait(60) and download.status == "done", download.message
    assert requests == [VGG19_PATH]
    assert download.received == download.total == vgg_weights.stat().st_size and download.share == 1.0
    assert resolve_weights("VGG19", VGG19.weights, download=False).origin == "Keras cache"
    assert not list((no_weights_env / "keras" / "models").glob("*.part"))


def test_a_wrong_file_is_not_kept(no_weights_env, monkeypatch):
    from nst.weights import WeightsDownload
    from tests.weights_mirror import mirror

    with mirror({VGG19_PATH: b"<html>captive portal</html>"}) as (base, _):
        monkeypatch.setenv("NST_WEIGHTS_MIRROR", base)
        download = WeightsDownload("VGG19", VGG19.weights).start()
        assert download.wait(30) and download.status == "failed"
    assert "not the official VGG19 weights" in download.message and "Put " in download.message
    assert not list((no_weights_env / "keras" / "models").iterdir())


def test_a_stalled_download_fails_after_its_timeout(no_weights_env, monkeypatch):
    import time

    from nst.weights import WeightsDownload
    from tests.weights_mirror import mirror

    with mirror({VGG19_PATH: b"x" * 1000}, stall=True) as (base, _):
        monkeypatch.setenv("NST_WEIGHTS_MIRROR", base)
        t = time.perf_counter()
        download = WeightsDownload("VGG19", VGG19.weights, stall_seconds=1.0).start()
        assert download.wait(30) and download.status == "failed"
        assert time.perf_counter() - t < 4.5  # the stall timeout, not the server's 5 s
    assert "The download failed" in download.message


def test_no_download_when_downloads_are_off(no_weights_env):
    from nst.weights import start_download

    with pytest.raises(WeightsError, match="Downloads are off"):
        start_download("VGG19", VGG19.weights)


def test_bfloat16_is_native_only_where_the_cpu_has_it_and_onednn_may_use_it():
    from nst.device import DeviceInfo, cpu_bf16_native, resolve_precision

    assert cpu_bf16_native({"avx2", "avx512_bf16"}) and cpu_bf16_native({"amx_bf16"}, "AVX512_CORE_AMX")
    assert not cpu_bf16_native({"avx2", "fma"})  # the AVX2-only machine: bf16 is emulated there
    assert not cpu_bf16_native({"avx512_bf16", "amx_bf16"}, "avx2")  # oneDNN capped: no bf16 convolution
    assert cpu_bf16_native({"avx512_bf16"}, "AVX512_CORE_BF16")
    assert not cpu_bf16_native({"avx512_bf16", "amx_bf16"}, onednn=False)  # TensorFlow's kernels emulate it
    assert resolve_precision("auto", DeviceInfo("CPU", "x", 2, False)) == "float32"
    assert resolve_precision("auto", DeviceInfo("CPU", "x", 2, True)) == "bfloat16"
