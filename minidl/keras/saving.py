"""Keras's whole-model files: ``model.save(path)`` and ``load_model(path)``, and weights-only files.

A saved model is one minidl checkpoint (``minidl.save``: npz, written
atomically, never replacing a file without ``overwrite=True``) holding

- ``keras_config``: JSON with the model's class, name and input shape, each
  layer's class name and ``get_config()`` (its constructor's arguments) and
  the compile settings (optimizer class and arguments, loss name, metrics);
- ``weights.<parameter name>``: every parameter, as ``state_dict`` names it.

``load_model`` rebuilds the layers from their configs, builds the model for
the recorded input shape, loads the weights and compiles it again, so it
predicts the same numbers. The optimizer's running state (Adam's moments)
is not saved: training resumes with a fresh optimizer.
"""
from __future__ import annotations

import json

from minidl.errors import CheckpointError
from minidl.keras import layers as layer_classes
from minidl.keras import optimizers
from minidl.serialization import load, save

MODEL_FORMAT = "minidl-keras-model/1"
WEIGHTS_FORMAT = "minidl-keras-weights/1"
CONFIG_KEY = "keras_config"
WEIGHTS_PREFIX = "weights."
LAYERS = {cls.__name__: cls for cls in (layer_classes.Dense, layer_classes.Dropout, layer_classes.Masking,
                                        layer_classes.SimpleRNN, layer_classes.LSTM, layer_classes.GRU,
                                        layer_classes.Bidirectional, layer_classes.Conv1D,
                                        layer_classes.MaxPooling1D, layer_classes.GlobalAveragePooling1D,
                                        layer_classes.BatchNormalization)}


def layer_entry(layer) -> dict:
    return {"class_name": type(layer).__name__, "config": layer.get_config()}


def layer_from_entry(entry: dict, path: str):
    """A new, unbuilt layer from ``{"class_name", "config"}``; a clear error for a class this version lacks."""
    name = entry.get("class_name")
    if name not in LAYERS:
        raise CheckpointError(f"load_model: {path!r} holds a layer of class {name!r}, which this version of "
                              f"minidl.keras does not know; known layers: {sorted(LAYERS)}")
    config = dict(entry["config"])
    if name == "Bidirectional":
        config["layer"] = layer_from_entry(config["layer"], path)
    return LAYERS[name](**config)


def compile_settings(model) -> dict | None:
    if not model.compiled:
        return None
    spec = model._optimizer_spec
    return {"optimizer": {"class_name": type(spec).__name__, "config": vars(spec)}, "loss": model.loss,
            "metrics": model.metrics_names[1:]}


def save_model(model, path, *, overwrite: bool = False) -> None:
    """Write ``model`` (architecture, weights, compile settings) to one file at ``path``."""
    if not model.built:
        raise ValueError("save: the model is not built yet; give the first layer input_shape= or fit it first")
    config = {"format": MODEL_FORMAT, "class_name": type(model).__name__, "name": model.name,
              "input_shape": list(model._shape), "layers": [layer_entry(layer) for layer in model.layers],
              "compile": compile_settings(model)}
    state = {WEIGHTS_PREFIX + name: value for name, value in model.state_dict().items()}
    state[CONFIG_KEY] = json.dumps(config)
    save(state, path, overwrite=overwrite)


def _read_config(path, expected_format: str) -> tuple[dict, dict]:
    state = load(path)  # FileNotFoundError, or CheckpointError for a file that is no minidl checkpoint
    try:
        config = json.loads(str(state[CONFIG_KEY]))
    except (KeyError, ValueError):
        config = {}
    if config.get("format") != expected_format:
        what = "a model saved by Model.save" if expected_format == MODEL_FORMAT else "weights saved by save_weights"
        raise CheckpointError(f"{str(path)!r} is a minidl checkpoint but not {what} "
                              f"(expected a {CONFIG_KEY!r} entry with format {expected_format!r})")
    weights = {k[len(WEIGHTS_PREFIX):]: v for k, v in state.items() if k.startswith(WEIGHTS_PREFIX)}
    return config, weights


def load_model(path):
    """The model saved at ``path`` by ``Model.save``, built, with its weights, compiled as it was.

    Raises
    ------
    FileNotFoundError
        No file at ``path``.
    CheckpointError
        The file is not a saved model, or holds a layer this version does not know.
    """
    from minidl.keras.models import Sequential  # models imports this module for Model.save

    config, weights = _read_config(path, MODEL_FORMAT)
    model = Sequential([layer_from_entry(entry, str(path)) for entry in config["layers"]], name=config["name"])
    model._build(tuple(config["input_shape"]))
    model.load_state_dict(weights)
    settings = config["compile"]
    if settings is not None:
        optimizer = optimizers.BY_NAME[settings["optimizer"]["class_name"].lower()](**settings["optimizer"]["config"])
        model.compile(optimizer=optimizer, loss=settings["loss"], metrics=settings["metrics"])
    return model


def save_weights(model, path, *, overwrite: bool = False) -> None:
    """Write the model's parameters alone (by name) to ``path``."""
    if not model.built:
        raise ValueError("save_weights: the model is not built yet, so it has no weights")
    state = {WEIGHTS_PREFIX + name: value for name, value in model.state_dict().items()}
    state[CONFIG_KEY] = json.dumps({"format": WEIGHTS_FORMAT})
    save(state, path, overwrite=overwrite)


def load_weights(model, path) -> None:
    """Load parameters written by :func:`save_weights` into a built model with the same layers."""
    if not model.built:
        raise ValueError("load_weights: build the model first (input_shape= on its first layer, or fit/predict)")
    _, weights = _read_config(path, WEIGHTS_FORMAT)
    model.load_state_dict(weights)
