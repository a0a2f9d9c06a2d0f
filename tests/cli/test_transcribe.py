"""minidl train --task transcribe and minidl transcribe: outputs, refusals, bad input, and the results."""
from __future__ import annotations

import csv
import json

import numpy as np
import pytest

import audio
import kernels
from audio.datasets import synthetic_utterances
from minidl.cli import main
from minidl.cli.model_file import load_model
from minidl.cli.transcribe import transcribe_file
from minidl.conv_recognizers import CONVOLUTIONAL_RECOGNIZERS
from tests.helpers import FSDD, tone

QUICK = ["--task", "transcribe", "--clips", "60", "--epochs", "2", "--hidden", "8", "--layers", "1"]
CLASSIFY_QUICK = ["--clips", "60", "--epochs", "1", "--hidden", "4"]
NO_GPU = "cupy" not in kernels.available()


@pytest.fixture(scope="module")
def quick_run(tmp_path_factory):
    out = tmp_path_factory.mktemp("runs") / "quick"
    assert main(["train", *QUICK, "--out", str(out)]) == 0
    return out


@pytest.fixture(scope="module")
def wavs(tmp_path_factory):
    folder = tmp_path_factory.mktemp("wavs")
    data = synthetic_utterances(n_utterances=3, seed=42)
    paths = [folder / f"utt{k}.wav" for k in range(3)]
    for path, clip in zip(paths, data.clips):
        audio.save(path, clip, data.sr)
    return paths


def test_transcribe_training_writes_every_output(quick_run):
    names = sorted(p.name for p in quick_run.iterdir())
    assert names == ["alignment.png", "curves.png", "history.csv", "metrics.json", "model.npz"]
    metrics = json.loads((quick_run / "metrics.json").read_text())
    assert metrics["task"] == "transcribe" and metrics["dataset"] == "synthetic-utterances"
    assert metrics["tokens"] == ["a", "e", "i", "o", "u", "ae", "er"] and metrics["epochs"] == 2
    assert metrics["test_token_error_rate"] >= 0 and 0 <= metrics["test_sequence_accuracy"] <= 1
    assert metrics["bidirectional"] is True and metrics["n_test"] > 0
    history = (quick_run / "history.csv").read_text().splitlines()
    assert history[0] == "epoch,loss,token_error_rate,val_loss,val_token_error_rate,lr,seconds" and len(history) == 3
    for png in ("curves.png", "alignment.png"):
        assert (quick_run / png).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_transcribe_prints_one_line_per_file_and_reports_the_unreadable(quick_run, wavs, tmp_path, capsys):
    broken = tmp_path / "broken.wav"
    broken.write_bytes(b"not audio")
    table = tmp_path / "out.csv"
    argv = ["transcribe", str(quick_run / "model.npz"), str(wavs[0]), str(broken), str(wavs[1]), "--csv", str(table)]
    assert main(argv) == 1  # one file unreadable: reported, the rest still run
    captured = capsys.readouterr()
    lines = [line.split("\t") for line in captured.out.strip().splitlines()]
    assert [line[0] for line in lines] == [str(wavs[0]), str(wavs[1])]
    tokens = {"a", "e", "i", "o", "u", "ae", "er"}
    assert all(set(line[1].split()) <= tokens and float(line[2]) <= 0 for line in lines)
    errors = [line for line in captured.err.splitlines() if line]
    assert len(errors) == 1 and errors[0].startswith("minidl transcribe: ") and "broken.wav" in errors[0]
    with open(table, newline="") as f:
        rows = list(csv.reader(f))
    assert rows[0] == ["path", "tokens", "log_probability"] and [r[:2] for r in rows[1:]] == [l[:2] for l in lines]
    before = table.read_bytes()
    assert main(["transcribe", str(quick_run / "model.npz"), str(wavs[0]), "--csv", str(table)]) == 2
    assert "--force" in capsys.readouterr().err and table.read_bytes() == before
    assert main(["transcribe", str(quick_run / "model.npz"), str(wavs[0]), "--csv", str(table), "--force"]) == 0


@pytest.mark.parametrize("model, subsampling", [("crnn", 2), ("tcn", 1), ("cnn", 1)])
def test_convolutional_recognizers_train_and_transcribe(model, subsampling, wavs, tmp_path, capsys):
    out = tmp_path / model
    assert main(["train", *QUICK, "--model", model, "--out", str(out)]) == 0
    assert f"model: {model}: " in capsys.readouterr().out
    assert sorted(p.name for p in out.iterdir()) == ["alignment.png", "curves.png", "history.csv", "metrics.json",
                                                      "model.npz"]
    metrics = json.loads((out / "metrics.json").read_text())
    assert metrics["model"] == model and metrics["subsampling"] == subsampling and metrics["epochs"] == 2
    assert metrics["test_token_error_rate"] >= 0 and (out / "alignment.png").read_bytes()[:4] == b"\x89PNG"
    recognizer, config, features, scaler = load_model(out / "model.npz", kind="recognizer")  # rebuilt as saved
    assert isinstance(recognizer, CONVOLUTIONAL_RECOGNIZERS[model]) and recognizer.subsampling == subsampling
    assert config["architecture"]["subsampling"] == subsampling
    assert main(["transcribe", str(out / "model.npz"), *map(str, wavs), "--beam", "4"]) == 0
    lines = [line.split("\t") for line in capsys.readouterr().out.strip().splitlines()]
    assert [line[0] for line in lines] == [str(w) for w in wavs]
    for line, wav in zip(lines, wavs):
        tokens, log_p = transcribe_file(recognizer, config, features, scaler, wav, beam_width=4)
        assert line[1] == " ".join(tokens) and float(line[2]) == pytest.approx(log_p, abs=1e-4) and log_p <= 0


def utterances_folder(folder, short_transcript):
    """Tone utterances (low = "lo", high = "hi") in ``folder``, and one 0.1 s clip that says ``short_transcript``."""
    folder.mkdir()
    lines = []
    for k in range(6):
        names = ["lo", "hi"][k % 2:] + ["lo"] * (k % 3)
        y = np.concatenate([tone(0.15, f=300.0 if n == "lo" else 1200.0) for n in names])
        audio.save(folder / f"{k}.wav", y, 8000)
        lines.append(f"{k}.wav\t{' '.join(names)}")
    audio.save(folder / "short.wav", tone(0.1, f=300.0), 8000)
    (folder / "transcripts.tsv").write_text("\n".join(lines + [f"short.wav\t{short_transcript}"]) + "\n")
    return folder


def test_too_few_frames_for_ctc_is_refused_before_training(tmp_path, capsys):
    data = utterances_folder(tmp_path / "short", "lo hi lo hi lo")  # 5 tokens: CTC needs 5 frames
    argv = ["train", "--task", "transcribe", "--data", str(data), "--epochs", "1", "--hidden", "4", "--layers", "1",
            "--no-cache"]
    out = tmp_path / "never"
    assert main([*argv, "--model", "crnn", "--out", str(out)]) == 2
    captured = capsys.readouterr()
    assert "epoch" not in captured.out and not out.exists()  # no training, nothing written
    assert (f"minidl train: utterance {data / 'short.wav'} has 6 frames (4 after crnn's 2x subsampling), too few "
            "for its 5 tokens 'lo hi lo hi lo': CTC needs at least 5") in captured.err
    assert "try --subsample 1, or a smaller --hop-ms (more frames per second), or a model that keeps every frame " \
           "(rnn, lstm, gru, cnn, tcn)" in captured.err
    assert main([*argv, "--model", "crnn", "--subsample", "1", "--out", str(out)]) == 0  # 6 frames hold 5 tokens
    capsys.readouterr()
    # without subsampling, the blanks that separate repeats count: 5 tokens, 2 repeats, 7 frames needed
    data = utterances_folder(tmp_path / "repeats", "lo lo hi hi lo")
    out = tmp_path / "never2"
    assert main([*argv[:4], str(data), *argv[5:], "--model", "gru", "--out", str(out)]) == 2
    err = capsys.readouterr().err
    assert (f"utterance {data / 'short.wav'} has 6 frames, too few for its 5 tokens 'lo lo hi hi lo': CTC needs "
            "at least 7 (a frame per token and a blank between equal neighbours); try a smaller --hop-ms") in err
    assert "--subsample" not in err and not out.exists()


def test_greedy_and_beam_agree_on_the_tokens_of_a_trained_model(quick_run, wavs, capsys):
    assert main(["transcribe", str(quick_run / "model.npz"), *map(str, wavs), "--beam", "1"]) == 0
    greedy = capsys.readouterr().out.splitlines()
    assert main(["transcribe", str(quick_run / "model.npz"), *map(str, wavs), "--beam", "64"]) == 0
    wide = capsys.readouterr().out.splitlines()
    # the wide beam's answer is at least as probable as the best path's labelling
    assert all(float(w.split("\t")[2]) >= float(g.split("\t")[2]) - 1e-4 for w, g in zip(wide, greedy))


def test_models_are_refused_by_the_other_command(quick_run, wavs, tmp_path, capsys):
    classifier = tmp_path / "classifier"
    assert main(["train", *CLASSIFY_QUICK, "--out", str(classifier)]) == 0
    capsys.readouterr()
    assert main(["transcribe", str(classifier / "model.npz"), str(wavs[0])]) == 2
    err = capsys.readouterr().err
    assert "is a classifier saved by `minidl train`, not a recognizer; use `minidl predict`" in err
    assert main(["predict", str(quick_run / "model.npz"), str(wavs[0])]) == 2
    err = capsys.readouterr().err
    assert "is a recognizer saved by `minidl train --task transcribe`, not a classifier" in err
    assert "use `minidl transcribe`" in err


@pytest.mark.parametrize("argv, message", [
    (["--task", "translate"], "unknown task 'translate'; expected one of classify, transcribe"),
    (["--task", "transcribe", "--model", "mean-mfcc-dense"], "unknown model 'mean-mfcc-dense' for --task transcribe"),
    (["--task", "transcribe", "--data", "fsdd:somewhere"], "unknown dataset 'fsdd:somewhere' for --task transcribe"),
    (["--task", "transcribe", "--data", "digits:no/such/place"], "not a folder"),
    (["--task", "transcribe", "--hop-ms", "0"], "--hop-ms must be > 0, got 0.0"),
    (["--task", "transcribe", "--epochs", "0"], "--epochs must be at least 1, got 0"),
    (["--data", "digits:somewhere"], "unknown dataset 'digits:somewhere'"),
    (["--task", "transcribe", "--model", "gru", "--subsample", "2"],
     "--subsample is for --task transcribe --model crnn only (the other models keep every frame)"),
    (["--model", "crnn", "--subsample", "2"], "--subsample is for --task transcribe --model crnn only"),
])
def test_train_transcribe_rejects_bad_options(argv, message, tmp_path, capsys):
    assert main(["train", *argv, "--out", str(tmp_path / "x")]) == 2
    assert message in capsys.readouterr().err
    assert not (tmp_path / "x").exists()


def test_transcribe_rejects_bad_options(quick_run, wavs, tmp_path, capsys):
    assert main(["transcribe", str(quick_run / "model.npz"), str(wavs[0]), "--beam", "0",
                 "--csv", str(tmp_path / "t.csv")]) == 2
    assert "--beam must be at least 1 (1: greedy), got 0" in capsys.readouterr().err
    (tmp_path / "junk.npz").write_bytes(b"junk")
    assert main(["transcribe", str(tmp_path / "junk.npz"), str(wavs[0])]) == 2
    assert main(["transcribe", str(tmp_path / "none.npz"), str(wavs[0])]) == 2
    assert not (tmp_path / "t.csv").exists()


@pytest.mark.skipif(not NO_GPU, reason="this machine has a CUDA device: the refusal cannot happen here")
def test_cuda_without_a_device_is_refused_before_any_work(quick_run, wavs, tmp_path, capsys):
    assert main(["train", *QUICK, "--out", str(tmp_path / "never"), "--device", "cuda"]) == 2
    assert "minidl train: --device cuda: device 'cuda' is not available" in capsys.readouterr().err
    assert main(["transcribe", str(quick_run / "model.npz"), str(wavs[0]), "--device", "cuda"]) == 2
    assert "minidl transcribe: --device cuda" in capsys.readouterr().err
    assert not any(tmp_path.iterdir())


def test_train_on_a_transcripts_folder(tmp_path, capsys):
    data = tmp_path / "mine"
    data.mkdir()
    lines = []
    for k in range(10):  # tones: low = "lo", high = "hi"
        names = ["lo", "hi"][k % 2:] + ["lo"] * (k % 3)
        y = np.concatenate([tone(0.15, f=300.0 if n == "lo" else 1200.0) for n in names])
        audio.save(data / f"{k}.wav", y, 8000)
        lines.append(f"{k}.wav\t{' '.join(names)}")
    (data / "broken.wav").write_bytes(b"nope")
    (data / "transcripts.tsv").write_text("\n".join(lines + ["broken.wav\tlo"]) + "\n")
    out = tmp_path / "o"
    assert main(["train", "--task", "transcribe", "--data", str(data), "--epochs", "1", "--hidden", "4",
                 "--batch-size", "4", "--out", str(out)]) == 0
    assert f"minidl train: skipped {data / 'broken.wav'} (Format not recognised)" in capsys.readouterr().err
    metrics = json.loads((out / "metrics.json").read_text())
    assert metrics["tokens"] == ["hi", "lo"] and metrics["dataset"] == "mine" and len(metrics["skipped_files"]) == 1


# ------------------------------------------------------------ the results the issue asks for


@pytest.mark.slow
def test_default_transcribe_run_reaches_2_percent_token_errors(tmp_path):
    assert main(["train", "--task", "transcribe", "--out", str(tmp_path / "t")]) == 0
    metrics = json.loads((tmp_path / "t" / "metrics.json").read_text())
    assert metrics["test_token_error_rate"] <= 0.02


@pytest.mark.slow
@pytest.mark.parametrize("model", ["crnn", "tcn"])
def test_default_convolutional_transcribe_runs_reach_2_percent_token_errors(model, tmp_path):
    """The issue's goal with the convolutional recognizers (measured: crnn 0.0014, tcn 0.0064)."""
    assert main(["train", "--task", "transcribe", "--model", model, "--out", str(tmp_path / model)]) == 0
    metrics = json.loads((tmp_path / model / "metrics.json").read_text())
    assert metrics["model"] == model and metrics["test_token_error_rate"] <= 0.02


@pytest.mark.slow
def test_connected_digits_default_run_reaches_3_percent_digit_errors(tmp_path):
    """The issue's goal on real speech: digit error rate <= 0.03 on utterances built from the official
    test takes only (0-4), training on takes 5-49; the defaults, no cache (about 2 minutes on 2 cores)."""
    if not FSDD.is_dir():
        pytest.skip(f"FSDD is not present at {FSDD}")
    assert main(["train", "--task", "transcribe", "--data", f"digits:{FSDD.parent}", "--no-cache",
                 "--out", str(tmp_path / "d")]) == 0
    metrics = json.loads((tmp_path / "d" / "metrics.json").read_text())
    assert metrics["dataset"] == "connected-digits" and metrics["n_test"] >= 300
    assert metrics["test_token_error_rate"] <= 0.03
    assert (tmp_path / "d" / "alignment.png").read_bytes()[:4] == b"\x89PNG"
