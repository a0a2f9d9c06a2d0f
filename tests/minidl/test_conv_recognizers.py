"""The cnn, crnn and tcn CTC recognizers: shapes, subsampled lengths, padding, causality, too few frames."""
from __future__ import annotations

import numpy as np
import pytest

import minidl
from minidl import optim
from minidl.conv_classifiers import POOL, pooled_lengths
from minidl.data import BatchLoader
from minidl.nn import MaxPool1d
from minidl.recognizers import (TOKEN_ERRORS, build_recognizer, ctc_batch_loss, ctc_forward, ctc_minimum_frames,
                                frame_log_probs, pad_transcripts, too_few_frames)
from minidl.training import fit
from tests.minidl.test_conv_classifiers import padded_batch

# (kind, options): every convolutional recognizer, crnn at each subsampling it takes with two blocks
MODELS = [("cnn", {}), ("tcn", {}), ("crnn", {"subsampling": 1}), ("crnn", {}), ("crnn", {"subsampling": 4})]
IDS = ["cnn", "tcn", "crnn-1", "crnn-2", "crnn-4"]


def test_the_pooled_length_formula_is_what_the_pool_layer_returns():
    pool = MaxPool1d(**POOL)
    for T in range(1, 40):
        once = pool(minidl.zeros(1, 2, T)).shape[-1]
        assert pooled_lengths(T, 1) == once, T
        assert pooled_lengths(T, 2) == pool(minidl.zeros(1, 2, once)).shape[-1], T
    assert pooled_lengths(np.array([1, 2, 9, 100]), 2).tolist() == [1, 2, 3, 26]
    assert pooled_lengths(7, 0) == 7


@pytest.mark.parametrize("kind, options", MODELS, ids=IDS)
def test_output_shape_lengths_and_log_probabilities(kind, options):
    minidl.manual_seed(0)
    model = build_recognizer(kind, 5, 3, hidden_size=6, num_layers=1, **options)
    lengths = np.array([23, 9, 1])
    x = padded_batch(lengths, features=5, dtype=np.float32)
    log_probs = model(minidl.tensor(x), lengths=lengths).numpy()  # [T', B, C]
    factor = options.get("subsampling", 2) if kind == "crnn" else 1
    assert model.subsampling == factor
    expected = {1: [23, 9, 1], 2: [12, 5, 1], 4: [7, 3, 1]}[factor]  # floor(T / 2) + 1 per halving
    assert model.output_lengths(lengths).tolist() == expected
    assert log_probs.shape == (expected[0], 3, 4)
    assert np.allclose(np.exp(log_probs).sum(axis=-1), 1, atol=1e-5)
    outputs, frames = ctc_forward(model)(x, lengths)  # what fit() and the metric see
    assert frames.tolist() == expected and outputs.shape == log_probs.shape


@pytest.mark.parametrize("kind, options", MODELS, ids=IDS)
def test_a_padded_batch_gives_each_utterance_the_frames_it_gets_alone(kind, options):
    minidl.manual_seed(1)
    model = build_recognizer(kind, 7, 4, hidden_size=6, num_layers=2, **options).double()
    model.eval()
    lengths = [9, 1, 30, 2, 17, 3, 4]  # odd, even, shorter than the pools and kernels
    x = padded_batch(lengths, dtype=np.float64)  # padding holds 5.0, not zeros
    together = model(minidl.tensor(x), lengths=lengths).numpy()  # [T', B, C]
    kept = model.output_lengths(lengths)
    for i, length in enumerate(lengths):
        alone = model(minidl.tensor(x[i:i + 1, :length]), lengths=[length]).numpy()[:, 0]  # [T'_i, C]
        assert alone.shape[0] == kept[i]
        np.testing.assert_allclose(together[:kept[i], i], alone, rtol=0, atol=1e-12, err_msg=f"{kind}, {i}")


def test_the_tcn_recognizer_is_causal_and_the_others_look_ahead():
    x = np.random.default_rng(4).standard_normal((1, 40, 5))
    later = x.copy()
    later[:, 25:] += 3.0
    for kind, reads_ahead in (("tcn", False), ("cnn", True), ("crnn", True)):
        minidl.manual_seed(5)
        model = build_recognizer(kind, 5, 3, hidden_size=6, num_layers=1, subsampling=1).double()
        y, y_later = (model(minidl.tensor(v)).numpy()[:, 0] for v in (x, later))  # [T, C]
        assert not np.allclose(y[25:], y_later[25:]), kind
        assert (not np.allclose(y[:25], y_later[:25])) == reads_ahead, kind
    model = build_recognizer("tcn", 5, 3, hidden_size=6)
    assert model.receptive_field == 61 and len(model.blocks) == 4  # 1.2 s at the task's 20 ms hop


@pytest.mark.parametrize("kind", ["cnn", "crnn", "tcn"])
def test_ctc_gradients_reach_every_parameter(kind):
    minidl.manual_seed(2)
    model = build_recognizer(kind, 5, 3, hidden_size=4, num_layers=1)
    x = padded_batch([16, 11], features=5, dtype=np.float32)
    ctc_batch_loss(ctc_forward(model)(x, np.array([16, 11])), pad_transcripts([[0, 1, 1], [2]])).backward()
    for name, param in model.named_parameters():
        assert param.grad is not None and np.isfinite(param.grad).all() and np.abs(param.grad).sum() > 0, name


def test_bad_subsampling_is_refused():
    with pytest.raises(ValueError, match="power of 2 at most 2 \\*\\* blocks = 4"):
        build_recognizer("crnn", 5, 3, subsampling=3)
    with pytest.raises(ValueError, match="power of 2 at most 2 \\*\\* blocks = 4"):
        build_recognizer("crnn", 5, 3, subsampling=8)
    with pytest.raises(ValueError, match="only crnn subsamples time; 'tcn' keeps every frame"):
        build_recognizer("tcn", 5, 3, subsampling=2)
    assert build_recognizer("gru", 5, 3, subsampling=1).subsampling == 1
    with pytest.raises(ValueError, match="CRNNRecognizer: lengths"):
        build_recognizer("crnn", 5, 3)(padded_batch([4, 4], features=5, dtype=np.float32), lengths=[4, 9])


def test_too_few_frames_finds_the_utterances_ctc_cannot_align():
    assert [ctc_minimum_frames(t) for t in ([], [0], [0, 0], [0, 1, 0], [2, 2, 2])] == [0, 1, 3, 3, 5]
    frames, transcripts = [9, 8, 3, 2], [[0, 1], [0, 0, 1], [0, 1], [1, 1]]
    crnn = build_recognizer("crnn", 5, 3, subsampling=4)  # 9 -> 4, 8 -> 3, 3 -> 2, 2 -> 2
    assert too_few_frames(crnn, frames, transcripts) == [(1, 8, 3, 4), (3, 2, 2, 3)]
    assert too_few_frames(build_recognizer("gru", 5, 3), frames, transcripts) == [(3, 2, 2, 3)]


def test_crnn_learns_a_toy_task_at_half_the_frame_rate():
    """Two tokens, each 4 frames of a pattern, a pause of 2 between: CTC over the 2x-subsampled frames."""
    rng = np.random.default_rng(0)
    patterns = np.array([[3.0, 0.0], [0.0, 3.0]])
    sequences, transcripts = [], []
    for _ in range(48):
        tokens = rng.integers(2, size=int(rng.integers(1, 4))).tolist()
        frames = [np.zeros((2, 2))]
        for t in tokens:
            frames += [np.repeat(patterns[t][None], 4, axis=0), np.zeros((2, 2))]
        x = np.concatenate(frames)  # [T, 2]
        sequences.append((x + 0.1 * rng.standard_normal(x.shape)).astype(np.float32))
        transcripts.append(tokens)
    targets = pad_transcripts(transcripts)
    minidl.manual_seed(0)
    model = build_recognizer("crnn", 2, 2, hidden_size=12, num_layers=1)
    history = fit(model, BatchLoader(sequences, targets, batch_size=8, shuffle=True), ctc_batch_loss,
                  optim.Adam(model.parameters(), lr=0.02), epochs=25, forward=ctc_forward(model),
                  metric=TOKEN_ERRORS, progress=False)
    assert history.rows[-1]["token_error_rate"] <= 0.05 < history.rows[0]["token_error_rate"]
    log_probs = frame_log_probs(model, BatchLoader(sequences, targets, batch_size=8))
    assert [len(lp) for lp in log_probs] == model.output_lengths([len(s) for s in sequences]).tolist()


def test_the_alignment_figure_draws_subsampled_posteriors_at_their_own_rate():
    from minidl.plot import alignment_figure
    posteriors = np.full((10, 3), 1 / 3)  # 10 output frames of a 2x-subsampling model: 20 input frames
    spectrogram = np.zeros((4, 20))
    for hop, expected in ((None, 0.18), (0.04, 0.36)):
        figure = alignment_figure(spectrogram, posteriors, ["blank", "a", "b"], decoded="", truth="a",
                                  hop_seconds=0.02, posterior_hop_seconds=hop)
        spec_ax, post_ax = figure.axes[:2]
        assert spec_ax.images[0].get_extent()[1] == pytest.approx(0.4)  # 20 frames of 20 ms
        assert all(line.get_xdata()[-1] == pytest.approx(expected) for line in post_ax.lines)
