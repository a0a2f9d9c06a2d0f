"""``--device cpu|cuda`` of train, predict and features, and the devices ``minidl info`` lists.

Without a GPU (CI) asking for cuda must be a clear error before any work;
the tests marked ``gpu`` run the same commands on a GPU and compare them
with the CPU: the same first-epoch loss, a GPU-trained model.npz that
predicts the same on the CPU, and GPU features equal to CPU features.
"""
from __future__ import annotations

import json

import numpy as np
import pytest

import audio
import kernels
from audio.datasets import FeatureConfig, synthetic_vowels
from audio.datasets.features import clip_features
from minidl.cli import main
from minidl.cli.model_file import load_model
from minidl.cli.predict import predict_file

QUICK = ["--clips", "120", "--epochs", "2", "--hidden", "8"]
NO_GPU = "cupy" not in kernels.available()


def test_require_device_names_what_it_expected():
    assert kernels.require_device("cpu") == "cpu"
    with pytest.raises(ValueError, match=r"unknown device 'tpu'.*\('cpu', 'cuda'\)"):
        kernels.require_device("tpu")


def test_info_lists_every_device(capsys):
    assert main(["info"]) == 0
    out = capsys.readouterr().out
    assert "device cpu:" in out and "cores" in out
    assert "device cuda:" in out
    if NO_GPU:
        assert "not available" in out.split("device cuda:")[1]


@pytest.mark.skipif(not NO_GPU, reason="this machine has a CUDA device: the refusal cannot happen here")
@pytest.mark.parametrize("command", ["train", "predict", "features"])
def test_cuda_without_a_device_is_refused_before_any_work(command, tmp_path, capsys):
    out = tmp_path / "never"
    argv = {"train": ["train", *QUICK, "--out", str(out)],
            "predict": ["predict", str(tmp_path / "no-model.npz"), str(tmp_path / "no.wav")],
            "features": ["features", str(tmp_path / "no.wav"), "--out", str(out) + ".png"]}[command]
    assert main([*argv, "--device", "cuda"]) == 2
    err = capsys.readouterr().err
    assert f"minidl {command}: --device cuda: device 'cuda' is not available" in err
    assert not any(tmp_path.iterdir())  # nothing was written, not even the output folder


def test_cpu_is_the_default_and_is_recorded(tmp_path):
    out = tmp_path / "run"
    assert main(["train", *QUICK, "--out", str(out)]) == 0
    assert json.loads((out / "metrics.json").read_text())["device"] == "cpu"


# ---------------------------------------------------------------- on a GPU
@pytest.mark.gpu
def test_gpu_features_equal_cpu_features():
    data = synthetic_vowels(n_clips=4, seed=3)
    config = FeatureConfig(n_mfcc=13, deltas=2)
    for clip in data.clips:
        cpu = clip_features(clip, data.sr, config)
        gpu = clip_features(clip, data.sr, config, device="cuda")
        assert isinstance(gpu, np.ndarray) and gpu.dtype == np.float32 and gpu.shape == cpu.shape
        np.testing.assert_allclose(gpu, cpu, rtol=1e-4, atol=1e-3 * np.abs(cpu).max())


@pytest.mark.gpu
def test_train_on_gpu_matches_cpu_and_its_model_predicts_the_same_on_the_cpu(tmp_path, capsys):
    runs = {}
    for device in ("cpu", "cuda"):
        out = tmp_path / device
        assert main(["train", *QUICK, "--no-cache", "--device", device, "--out", str(out)]) == 0
        runs[device] = json.loads((out / "metrics.json").read_text())
        runs[device]["history"] = (out / "history.csv").read_text().splitlines()[1:]
    assert runs["cuda"]["device"] == "cuda"
    cpu_loss, gpu_loss = (float(runs[d]["history"][0].split(",")[1]) for d in ("cpu", "cuda"))
    assert gpu_loss == pytest.approx(cpu_loss, rel=1e-3)  # same initial weights, same batches, float32 rounding

    model, config, features, scaler = load_model(tmp_path / "cuda" / "model.npz")  # on the CPU
    assert all(not kernels.is_cupy_array(p.data) for p in model.parameters())
    data = synthetic_vowels(n_clips=6, seed=99)
    paths = []
    for k, clip in enumerate(data.clips):
        paths.append(tmp_path / f"clip{k}.wav")
        audio.save(paths[-1], clip, data.sr)
    on_cpu = [predict_file(model, config, features, scaler, p)[2] for p in paths]
    model.to("cuda")
    on_gpu = [predict_file(model, config, features, scaler, p, device="cuda")[2] for p in paths]
    np.testing.assert_allclose(np.array(on_gpu), np.array(on_cpu), atol=1e-4)
    capsys.readouterr()
    assert main(["predict", "--device", "cuda", str(tmp_path / "cuda" / "model.npz"), *map(str, paths)]) == 0
    lines = capsys.readouterr().out.strip().splitlines()
    assert [line.split("\t")[1] for line in lines] == [config["label_names"][int(p.argmax())] for p in on_cpu]


@pytest.mark.gpu
def test_features_figure_on_gpu(tmp_path):
    wav = tmp_path / "tone.wav"
    audio.save(wav, (0.3 * np.sin(np.arange(8000) / 5.0)).astype(np.float32), 8000)
    png = tmp_path / "f.png"
    assert main(["features", str(wav), "--out", str(png), "--device", "cuda"]) == 0
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
