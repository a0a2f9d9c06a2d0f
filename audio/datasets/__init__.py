"""audio.datasets: labelled clips for classification, transcribed utterances for recognition.

- ``synthetic_vowels``: the embedded dataset (no download), generated in seconds.
- ``load_fsdd``: the Free Spoken Digit Dataset with its official split.
- ``load_folder``: ``root/<label>/*.wav|flac|ogg``.
- ``synthetic_utterances``, ``connected_digits``, ``load_transcribed``: utterances
  with transcripts (``AudioDataset.transcripts``) for speech recognition.
- ``extract_features`` / ``Standardizer``: MFCC sequences with a cache.
- ``cmvn`` / ``UtteranceNormalizer``: per-utterance mean and variance normalization;
  ``SpeakerNormalizer``: the same per speaker, over all of a speaker's clips.
"""
from audio.datasets.cmvn import NORMALIZATIONS, SpeakerNormalizer, UtteranceNormalizer, cmvn, make_normalizer
from audio.datasets.dataset import AudioDataset
from audio.datasets.features import FeatureConfig, Standardizer, extract_features
from audio.datasets.recordings import load_fsdd, load_folder
from audio.datasets.synthetic import synthetic_vowels
from audio.datasets.transcripts import load_transcribed, read_transcripts
from audio.datasets.utterances import connected_digits, synthetic_utterances

__all__ = ["AudioDataset", "FeatureConfig", "NORMALIZATIONS", "SpeakerNormalizer", "Standardizer", "UtteranceNormalizer", "cmvn",
           "make_normalizer", "connected_digits", "extract_features",
           "load_folder", "load_fsdd", "load_transcribed", "read_transcripts", "synthetic_utterances",
           "synthetic_vowels"]
