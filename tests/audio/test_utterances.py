"""audio.datasets for recognition: synthetic utterances, connected FSDD digits, transcripts.tsv folders."""
from __future__ import annotations

import numpy as np
import pytest

import audio
from audio.datasets import AudioDataset, connected_digits, load_transcribed, read_transcripts, synthetic_utterances
from audio.datasets.synthetic import speaker_voice
from audio.datasets import utterances as utterances_module
from audio.datasets.utterances import fsdd_take, runs_of_distinct, synthesize_utterance
from audio.errors import ParameterError
from tests.helpers import FSDD, tone

# ------------------------------------------------------------ synthetic utterances


@pytest.fixture(scope="module")
def utterances():
    return synthetic_utterances(n_utterances=40, seed=7)


def test_utterances_are_deterministic_per_seed(utterances):
    again = synthetic_utterances(n_utterances=40, seed=7)
    assert all(np.array_equal(a, b) for a, b in zip(utterances.clips, again.clips))
    assert utterances.transcripts == again.transcripts and utterances.fingerprint == again.fingerprint
    other = synthetic_utterances(n_utterances=5, seed=8)
    assert other.transcripts != utterances.transcripts[:5]
    # utterance k depends only on (seed, k): a smaller dataset is a prefix
    prefix = synthetic_utterances(n_utterances=5, seed=7)
    assert prefix.transcripts == utterances.transcripts[:5]
    assert all(np.array_equal(a, b) for a, b in zip(prefix.clips, utterances.clips))


def test_utterances_use_the_seven_vowels_and_hold_out_speakers(utterances):
    assert utterances.tokens == ["a", "e", "i", "o", "u", "ae", "er"]
    assert all(1 <= len(t) <= 6 and set(t) <= set(utterances.tokens) for t in utterances.transcripts)
    train = set(utterances.speakers[utterances.indices("train")])
    test = set(utterances.speakers[utterances.indices("test")])
    assert train and test and not train & test
    assert (utterances.labels == 0).all() and utterances.is_transcribed
    assert utterances.token_ids(0) == [utterances.tokens.index(t) for t in utterances.transcripts[0]]


def test_runs_of_distinct_split_at_repeats():
    assert runs_of_distinct(["a", "a", "i", "i", "i", "u"]) == [["a"], ["a", "i"], ["i"], ["i", "u"]]
    assert runs_of_distinct(["e"]) == [["e"]] and runs_of_distinct([]) == []


def _longest_silence_ms(clip, sr: int) -> float:
    """The longest run of exact zeros between the first and the last sound, in ms."""
    sound = np.flatnonzero(clip != 0)
    inside = clip[sound[0]:sound[-1] + 1] == 0
    longest = run = 0
    for silent in inside:
        run = run + 1 if silent else 0
        longest = max(longest, run)
    return 1000.0 * longest / sr


def test_adjacent_repeated_vowels_are_separated_by_a_pause(monkeypatch):
    # without the background noise, the pause is digital silence that can be measured exactly
    monkeypatch.setattr(utterances_module, "place_in_noise", lambda speech, sr, rng: speech)
    speaker = speaker_voice(0, 3)
    for seed in range(4):
        repeated = synthesize_utterance(["a", "a", "i"], speaker, 8000, np.random.default_rng(seed))
        distinct = synthesize_utterance(["a", "i", "a"], speaker, 8000, np.random.default_rng(seed))
        assert _longest_silence_ms(repeated, 8000) >= 60, "a a must have a pause between the two vowels"
        assert _longest_silence_ms(distinct, 8000) == 0, "a i a is one breath: no pause"


def test_synthetic_utterances_reject_bad_arguments():
    with pytest.raises(ParameterError, match="'y'"):
        synthetic_utterances(n_utterances=2, vowels=["a", "y"])
    with pytest.raises(ParameterError, match="n_speakers"):
        synthetic_utterances(n_utterances=2, n_speakers=3)
    with pytest.raises(ParameterError, match="n_utterances"):
        synthetic_utterances(n_utterances=0)


def test_dataset_checks_its_transcripts():
    common = dict(name="t", clips=[np.zeros(10)], labels=[0], label_names=["utterance"], sr=8000,
                  split=["train"], speakers=[""], sources=["x"], fingerprint="f")
    with pytest.raises(ParameterError, match="'z'"):
        AudioDataset(**common, transcripts=[["a", "z"]], tokens=["a"])
    with pytest.raises(ParameterError, match="2 entries for 1 clips"):
        AudioDataset(**common, transcripts=[["a"], ["a"]], tokens=["a"])
    with pytest.raises(ParameterError, match="no transcripts"):
        AudioDataset(**common).check_transcribable()


# ------------------------------------------------------------ connected digits (FSDD)


@pytest.fixture(scope="module")
def digits():
    if not FSDD.is_dir():
        pytest.skip(f"FSDD is not present at {FSDD}")
    return connected_digits(FSDD.parent, n_train=60, n_test=30, seed=3)


def test_digit_test_utterances_use_only_takes_0_to_4(digits):
    for k, (split, recordings) in enumerate(zip(digits.split, digits.info["recordings"])):
        takes = [fsdd_take(r) for r in recordings]
        assert digits.sources[k] == " + ".join(recordings)
        assert all(t <= 4 for t in takes) if split == "test" else all(5 <= t <= 49 for t in takes)
        # one speaker per utterance, and the transcript is the recordings' digits in order
        assert len({r.split("_")[-2] for r in recordings}) == 1
        assert digits.transcripts[k] == [r.rsplit("/", 1)[-1][0] for r in recordings]
    assert (digits.split == "test").sum() == 30 and 1 <= min(map(len, digits.transcripts))
    assert max(map(len, digits.transcripts)) <= 7 and digits.tokens == [str(d) for d in range(10)]


def test_digits_are_deterministic_per_seed(digits):
    again = connected_digits(FSDD.parent, n_train=60, n_test=30, seed=3)
    assert again.sources == digits.sources
    assert all(np.array_equal(a, b) for a, b in zip(again.clips, digits.clips))
    assert connected_digits(FSDD.parent, n_train=5, n_test=1, seed=4).sources[:5] != digits.sources[:5]


def test_digits_reject_bad_arguments(tmp_path):
    with pytest.raises(ParameterError, match="max_digits"):
        connected_digits(tmp_path, max_digits=11)
    with pytest.raises(FileNotFoundError, match="not a folder"):
        connected_digits(tmp_path / "nowhere")


# ------------------------------------------------------------ transcripts.tsv


def _folder(root, lines, files=("one.wav", "two.wav", "three.wav")):
    root.mkdir(exist_ok=True)
    for name in files:
        audio.save(root / name, tone(0.2), 8000)
    (root / "transcripts.tsv").write_text("\n".join(lines) + "\n")
    return root


def test_transcripts_folder_loads(tmp_path):
    root = _folder(tmp_path / "d", ["# file\ttokens", "one.wav\thello world", "", "two.wav\tworld",
                                    "three.wav\t  hello   there "])
    data = load_transcribed(root, sr=None)
    assert data.transcripts == [["hello", "world"], ["world"], ["hello", "there"]]
    assert data.tokens == ["hello", "there", "world"] and data.sr == 8000
    assert sorted(data.split.tolist()) == ["test", "train", "train"]


@pytest.mark.parametrize("lines, message", [
    (["one.wav hello"], "line 1: expected 'file<TAB>space-separated tokens', got 'one.wav hello'"),
    (["one.wav\thello", "two.wav\t   "], "line 2: the transcript of 'two.wav' is empty"),
    (["one.wav\thi", "four.wav\thi"], "unknown file 'four.wav'"),
    (["one.wav\thi", "one.wav\tho"], "'one.wav' is listed again (first on line 1)"),
    (["\thi"], "line 1: expected"),
    (["# nothing"], "lists no files"),
])
def test_transcripts_errors_name_the_line(tmp_path, lines, message):
    root = _folder(tmp_path / "d", lines)
    with pytest.raises(ParameterError) as caught:
        load_transcribed(root)
    assert message in str(caught.value)


def test_transcripts_file_missing(tmp_path):
    (tmp_path / "empty").mkdir()
    with pytest.raises(FileNotFoundError, match="transcripts.tsv' does not exist"):
        load_transcribed(tmp_path / "empty")
    with pytest.raises(FileNotFoundError):
        read_transcripts(tmp_path / "none.tsv")


def test_transcripts_unreadable_audio_is_skipped(tmp_path):
    root = _folder(tmp_path / "d", ["one.wav\ta", "two.wav\tb", "bad.wav\tc"])
    (root / "bad.wav").write_bytes(b"not audio")
    with pytest.warns(UserWarning, match="bad.wav"):
        data = load_transcribed(root, sr=None)
    assert len(data) == 2 and data.skipped[0].startswith(str(root / "bad.wav"))
    assert data.tokens == ["a", "b"]
