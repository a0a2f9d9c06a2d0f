"""``model.npz``: a trained classifier or recognizer with everything ``minidl predict`` / ``transcribe`` needs.

One minidl checkpoint (atomic write, see ``minidl.serialization``) holding
the weights under ``model.<name>``, the standardizer's ``mean``/``std``, and
a JSON ``config``: the format (which kind of model), the model's
constructor arguments, the label names (classifier) or the tokens
(recognizer), the sample rate, the feature settings and the normalization
(``"global"``: the standardizer; ``"utterance"``: CMVN, with no statistics
to store; ``"speaker"``: CMVN per speaker, whose statistics belong to the
speakers, not to the model: ``minidl predict`` takes them from the files
it is given).
"""
from __future__ import annotations

import json
from dataclasses import asdict

import numpy as np

from audio.datasets import FeatureConfig, SpeakerNormalizer, Standardizer, UtteranceNormalizer
from audio.datasets.features import clip_features
from audio.io import load as load_audio
from minidl.classifiers import build_classifier
from minidl.errors import CheckpointError
from minidl.recognizers import build_recognizer
from minidl.serialization import load, save

FORMAT = "minidl-audio-classifier/1"
RECOGNIZER_FORMAT = "minidl-audio-recognizer/1"
KINDS = {  # kind -> (format, builder, the command that trains it, the one that uses it)
    "classifier": (FORMAT, build_classifier, "minidl train", "minidl predict"),
    "recognizer": (RECOGNIZER_FORMAT, build_recognizer, "minidl train --task transcribe", "minidl transcribe"),
}


def save_model(path, model, *, architecture: dict, sr: int, features: FeatureConfig, standardizer: Standardizer,
               label_names=None, tokens=None, overwrite: bool = False) -> None:
    """Write the model, its settings and its feature normalization to ``path``.

    ``standardizer`` is a fitted Standardizer, an UtteranceNormalizer or a SpeakerNormalizer (CMVN).

    A classifier passes ``label_names``; a recognizer passes ``tokens`` (its
    class k + 1 is token k, class 0 the CTC blank).
    """
    if (label_names is None) == (tokens is None):
        raise ValueError("save_model needs either label_names (a classifier) or tokens (a recognizer)")
    config = {"format": FORMAT if tokens is None else RECOGNIZER_FORMAT, "architecture": architecture,
              "sr": int(sr), "features": asdict(features), "normalize": standardizer.kind}
    if tokens is None:
        config["label_names"] = list(label_names)
    else:
        config["tokens"] = list(tokens)
    state = {f"model.{name}": value for name, value in model.state_dict().items()}
    state["config"] = np.array(json.dumps(config))
    if standardizer.kind == "global":
        state.update({"standardizer.mean": standardizer.mean, "standardizer.std": standardizer.std})
    save(state, path, overwrite=overwrite)


def load_model(path, *, kind: str = "classifier"):
    """Returns (model in eval mode, config dict, FeatureConfig, Standardizer or UtteranceNormalizer).

    ``kind`` ("classifier" or "recognizer") is what the caller can use; a
    model of the other kind is refused, naming the command that uses it.
    """
    expected, build, _, _ = KINDS[kind]
    state = load(path)
    try:
        config = json.loads(str(state["config"]))
        found = config.get("format")
        other = next((k for k, entry in KINDS.items() if entry[0] == found and k != kind), None)
        if other is not None:
            raise CheckpointError(f"{path!r} is a {other} saved by `{KINDS[other][2]}`, not a {kind}; "
                                  f"use `{KINDS[other][3]}` with it")
        if found != expected:
            raise KeyError("format")
        features = FeatureConfig(**config["features"])
        model = build(**config["architecture"])
        # models saved before --normalize existed have no "normalize": they were standardized
        kind = config.get("normalize", "global")
        scaler = (UtteranceNormalizer() if kind == "utterance" else SpeakerNormalizer() if kind == "speaker" else
                  Standardizer(state["standardizer.mean"], state["standardizer.std"]))
    except (KeyError, TypeError, ValueError) as exc:
        if isinstance(exc, CheckpointError):
            raise
        raise CheckpointError(f"{path!r} is a minidl checkpoint but not a {kind} saved by "
                              f"`{KINDS[kind][2]}` (missing or bad {exc})") from None
    model.load_state_dict({k[len("model."):]: v for k, v in state.items() if k.startswith("model.")})
    model.eval()
    return model, config, features, scaler


def raw_file_features(path, config: dict, features: FeatureConfig, *, device: str = "cpu") -> np.ndarray:
    """An audio file's features before normalization, as the model's were. [frames, F] float32

    Raises AudioFileError or OSError when the file cannot be read.
    """
    y, sr = load_audio(path, sr=config["sr"])
    return clip_features(y, sr, features, device=device)  # [frames, F]


def file_features(path, config: dict, features: FeatureConfig, scaler, *, device: str = "cpu") -> np.ndarray:
    """An audio file's normalized features, as the model was trained on (not for ``"speaker"``: see
    ``minidl predict``). [frames, F] float32

    Raises AudioFileError or OSError when the file cannot be read.
    """
    if scaler.kind == "speaker":
        raise ValueError("a model trained with --normalize speaker normalizes several clips of one speaker "
                         "together, not one file: use minidl.cli.predict.predict_one_speaker")
    return scaler.transform([raw_file_features(path, config, features, device=device)])[0]  # [frames, F]
