"""audio.datasets: labelled clips for classification.

- ``synthetic_vowels``: the embedded dataset (no download), generated in seconds.
- ``load_fsdd``: the Free Spoken Digit Dataset with its official split.
- ``load_folder``: ``root/<label>/*.wav|flac|ogg``.
- ``extract_features`` / ``Standardizer``: MFCC sequences with a cache.
"""
from audio.datasets.dataset import AudioDataset
from audio.datasets.features import FeatureConfig, Standardizer, extract_features
from audio.datasets.recordings import load_fsdd, load_folder
from audio.datasets.synthetic import synthetic_vowels

__all__ = ["AudioDataset", "FeatureConfig", "Standardizer", "extract_features", "load_folder",
           "load_fsdd", "synthetic_vowels"]
