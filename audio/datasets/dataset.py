"""``AudioDataset``: labelled clips with their split and where they came from.

Every loader in ``audio.datasets`` returns one, so feature extraction and
training never need to know whether the clips were synthesized, read from
the Free Spoken Digit Dataset or from a folder of labelled recordings.
"""
from __future__ import annotations

from dataclasses import dataclass, field, replace

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
    transcripts : list of list of str, or None
        Speech-recognition datasets: per clip, the token names spoken in it, in order.
        Their ``labels`` are all 0 (one class, ``"utterance"``).
    tokens : list of str, or None
        The token vocabulary (with ``transcripts``): every name a transcript uses.
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
    transcripts: list | None = None
    tokens: list | None = None

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
        if self.transcripts is not None:
            self._check_transcripts(n)
        if n and (self.labels.min() < 0 or self.labels.max() >= len(self.label_names)):
            raise ParameterError(f"{self.name}: labels must lie in [0, {len(self.label_names)}), "
                                 f"got [{self.labels.min()}, {self.labels.max()}]")

    def _check_transcripts(self, n: int) -> None:
        if len(self.transcripts) != n:
            raise ParameterError(f"{self.name}: transcripts has {len(self.transcripts)} entries for {n} clips")
        if not self.tokens or len(set(self.tokens)) != len(self.tokens):
            raise ParameterError(f"{self.name}: tokens must be a non-empty list of distinct names, got {self.tokens!r}")
        known = set(self.tokens)
        for k, transcript in enumerate(self.transcripts):
            unknown = [t for t in transcript if t not in known]
            if unknown:
                raise ParameterError(f"{self.name}: transcript {k} ({self.sources[k]}) uses {unknown[0]!r}, "
                                     f"which is not in tokens {self.tokens}")

    @property
    def is_transcribed(self) -> bool:
        """True for a speech-recognition dataset (with ``transcripts``)."""
        return self.transcripts is not None

    def token_ids(self, k: int) -> list:
        """Clip k's transcript as indices into ``tokens``. [S_k] list of int"""
        index = {name: i for i, name in enumerate(self.tokens)}
        return [index[t] for t in self.transcripts[k]]

    def check_transcribable(self) -> None:
        """Refuse a dataset no recognizer can learn from: no transcripts, no clips, or an empty split."""
        if not self.is_transcribed:
            raise ParameterError(f"dataset {self.name!r} has labels but no transcripts; "
                                 "a recognizer needs a token sequence per clip")
        if len(self) == 0:
            raise ParameterError(f"dataset {self.name!r} has no clips")
        for split in SPLITS:
            if len(self.indices(split)) == 0:
                raise ParameterError(f"dataset {self.name!r} has no {split} clips")

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

    @property
    def speaker_names(self) -> list:
        """The named speakers, sorted; a clip whose speaker is unknown (``""``) names none. [n_speakers] str"""
        return sorted(set(self.speakers.tolist()) - {""})

    def with_test_speakers(self, names) -> AudioDataset:
        """A copy whose test split is every clip of the speakers ``names`` and whose train split is the rest.

        This replaces the dataset's own split by a speaker split: nobody heard
        in the test clips is heard in training, which measures how a model
        does on new voices. Clips of an unknown speaker (``""``) train.

        Parameters
        ----------
        names : sequence of str
            Speakers to hold out; each must be one of :attr:`speaker_names`,
            and at least one named speaker must be left to train on.

        Returns
        -------
        AudioDataset
            The same clips (not copied), labels and features' fingerprint; only ``split`` differs.

        Examples
        --------
        >>> data = AudioDataset(name="demo", clips=[np.zeros(4)] * 3, labels=[0, 1, 0], label_names=["a", "b"],
        ...                     sr=8000, split=["train"] * 3, speakers=["ann", "bob", "ann"], sources=["", "", ""],
        ...                     fingerprint="demo")
        >>> data.with_test_speakers(["ann"]).split.tolist()
        ['test', 'train', 'test']
        """
        names = [names] if isinstance(names, str) else list(names)
        known = self.speaker_names
        if not known:
            raise ParameterError(f"dataset {self.name!r} names no speakers, so it cannot be split by speaker; "
                                 "a folder dataset names them in DIR/speakers.tsv (file<TAB>speaker)")
        if not names:
            raise ParameterError(f"name at least one test speaker; dataset {self.name!r} has {', '.join(known)}")
        for name in names:
            if name not in known:
                raise ParameterError(f"unknown speaker {name!r}: dataset {self.name!r} has speakers "
                                     f"{', '.join(known)}")
        if set(names) >= set(known):
            raise ParameterError(f"test speakers {', '.join(names)} are every speaker of dataset {self.name!r}; "
                                 "leave at least one to train on")
        split = np.where(np.isin(self.speakers, names), "test", "train")
        return replace(self, split=split, info={**self.info, "test_speakers": sorted(set(names))})

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
        what = (f"{len(self.tokens)} tokens ({' '.join(self.tokens)})" if self.is_transcribed
                else f"{self.num_classes} classes")
        return (f"{self.name}: {len(self)} clips, {what}, "
                f"{len(self.indices('train'))} train / {len(self.indices('test'))} test, "
                f"{seconds.min():.2f}-{seconds.max():.2f} s at {self.sr} Hz")
