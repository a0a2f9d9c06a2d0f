"""``AudioDataset``: labelled clips with their split and where they came from.

Every loader in ``audio.datasets`` returns one, so feature extraction and
training never need to know whether the clips were synthesized, read from
the Free Spoken Digit Dataset or from a folder of labelled recordings.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from audio.errors import ParameterError

SPLITS = ("train", "test")


@dataclass
class AudioDataset:
    """Labelled audio clips.

    Attributes
    ----------
    name : str
        What the clips are (``"synthetic-vowels"``, ``"fsdd"``, a folder name).
    clips : list of np.ndarray [shape=(n_i,)], float32
        One mono signal per clip; lengths may differ.
    labels : np.ndarray [shape=(n_clips,)], int64
        Index into ``label_names`` per clip.
    label_names : list of str
        Class names in label order.
    sr : int
        Sample rate shared by every clip.
    split : np.ndarray [shape=(n_clips,)], str
        ``"train"`` or ``"test"`` per clip.
    speakers : np.ndarray [shape=(n_clips,)], str
        Who spoke each clip (``""`` where unknown).
    sources : list of str
        Per clip, the file it was read from, or a description of how it was made.
    fingerprint : str
        Identifies the clips' content (generator settings, or file names, sizes and
        modification times), so feature caches can be keyed by it.
    skipped : list of str
        Files that could not be read, each with the reason; never silently dropped.
    info : dict
        Anything else the loader knows (speaker metadata, generator settings).
    """

    name: str
    clips: list
    labels: np.ndarray
    label_names: list
    sr: int
    split: np.ndarray
    speakers: np.ndarray
    sources: list
    fingerprint: str
    skipped: list = field(default_factory=list)
    info: dict = field(default_factory=dict)

    def __post_init__(self):
        n = len(self.clips)
        self.labels = np.asarray(self.labels, dtype=np.int64)
        self.split = np.asarray(self.split, dtype=str)
        self.speakers = np.asarray(self.speakers, dtype=str)
        for attribute in ("labels", "split", "speakers", "sources"):
            if len(getattr(self, attribute)) != n:
                raise ParameterError(f"{self.name}: {attribute} has {len(getattr(self, attribute))} "
                                     f"entries for {n} clips")
        unknown = sorted(set(self.split.tolist()) - set(SPLITS))
        if unknown:
            raise ParameterError(f"{self.name}: split names must be {SPLITS}, got {unknown}")
        if n and (self.labels.min() < 0 or self.labels.max() >= len(self.label_names)):
            raise ParameterError(f"{self.name}: labels must lie in [0, {len(self.label_names)}), "
                                 f"got [{self.labels.min()}, {self.labels.max()}]")

    def __len__(self) -> int:
        return len(self.clips)

    @property
    def num_classes(self) -> int:
        return len(self.label_names)

    def indices(self, split: str) -> np.ndarray:
        """Positions of the clips in ``split`` ("train" or "test"). [k] int"""
        if split not in SPLITS:
            raise ParameterError(f"split must be one of {SPLITS}, got {split!r}")
        return np.flatnonzero(self.split == split)

    def check_trainable(self) -> None:
        """Refuse a dataset no classifier can learn from: empty, one class, or an empty split."""
        if len(self) == 0:
            raise ParameterError(f"dataset {self.name!r} has no clips")
        present = np.unique(self.labels)
        if len(present) < 2:
            names = [self.label_names[i] for i in present]
            raise ParameterError(f"dataset {self.name!r} has a single class {names}; "
                                 "a classifier needs at least 2")
        for split in SPLITS:
            if len(self.indices(split)) == 0:
                raise ParameterError(f"dataset {self.name!r} has no {split} clips")

    def summary(self) -> str:
        """One line: name, clip and class counts, split sizes, duration range."""
        seconds = np.array([len(c) for c in self.clips]) / self.sr if self.clips else np.zeros(1)
        return (f"{self.name}: {len(self)} clips, {self.num_classes} classes, "
                f"{len(self.indices('train'))} train / {len(self.indices('test'))} test, "
                f"{seconds.min():.2f}-{seconds.max():.2f} s at {self.sr} Hz")
