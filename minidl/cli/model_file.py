"""``model.npz``: a trained classifier with everything ``minidl predict`` needs.

One minidl checkpoint (atomic write, see ``minidl.serialization``) holding
the weights under ``model.<name>``, the standardizer's ``mean``/``std``, and
a JSON ``config``: the model's constructor arguments, the label names, the
sample rate and the feature settings.
"""
from __future__ import annotations

import json
from dataclasses import asdict

import numpy as np

from audio.datasets import FeatureConfig, Standardizer
from minidl.classifiers import build_classifier
from minidl.errors import CheckpointError
from minidl.serialization import load, save

FORMAT = "minidl-audio-classifier/1"


def save_model(path, model, *, architecture: dict, label_names, sr: int, features: FeatureConfig,
               standardizer: Standardizer, overwrite: bool = False) -> None:
    """Write the model, its settings and its feature standardization to ``path``."""
    config = {"format": FORMAT, "architecture": architecture, "label_names": list(label_names),
              "sr": int(sr), "features": asdict(features)}
    state = {f"model.{name}": value for name, value in model.state_dict().items()}
    state.update({"config": np.array(json.dumps(config)), "standardizer.mean": standardizer.mean,
                  "standardizer.std": standardizer.std})
    save(state, path, overwrite=overwrite)


def load_model(path):
    """Returns (model in eval mode, config dict, FeatureConfig, Standardizer)."""
    state = load(path)
    try:
        config = json.loads(str(state["config"]))
        if config.get("format") != FORMAT:
            raise KeyError("format")
        features = FeatureConfig(**config["features"])
        model = build_classifier(**config["architecture"])
    except (KeyError, TypeError, ValueError) as exc:
        raise CheckpointError(f"{path!r} is a minidl checkpoint but not a classifier saved by "
                              f"`minidl train` (missing or bad {exc})") from None
    model.load_state_dict({k[len("model."):]: v for k, v in state.items() if k.startswith("model.")})
    model.eval()
    scaler = Standardizer(state["standardizer.mean"], state["standardizer.std"])
    return model, config, features, scaler
