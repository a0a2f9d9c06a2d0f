"""minidl.recognizers: the CTC recognizer, its batch helpers, decoding, and CTC training through fit()."""
from __future__ import annotations

import numpy as np
import pytest

import minidl
from minidl import optim
from minidl.data import BatchLoader
from minidl.decode import beam_search
from minidl.recognizers import (
    BLANK,
    TOKEN_ERRORS,
    build_recognizer,
    ctc_batch_loss,
    ctc_forward,
    decode_utterance,
    frame_log_probs,
    pad_transcripts,
    transcript_lengths,
)
from minidl.training import fit


def test_output_is_log_probabilities_in_ctc_layout():
    model = build_recognizer("gru", 3, 4, hidden_size=5)
    x = np.random.default_rng(0).standard_normal((2, 7, 3)).astype(np.float32)
    log_probs = model(x, lengths=np.array([7, 4])).numpy()  # [T, B, C]
    assert log_probs.shape == (7, 2, 5)
    assert np.allclose(np.exp(log_probs).sum(axis=-1), 1, atol=1e-5)
    assert model.recurrent.num_directions == 2 and model.recurrent.num_layers == 2


def test_build_recognizer_rejects_bad_arguments():
    with pytest.raises(ValueError, match="unknown recognizer 'mean-mfcc-dense'"):
        build_recognizer("mean-mfcc-dense", 3, 4)
    with pytest.raises(ValueError, match="num_tokens"):
        build_recognizer("lstm", 3, 0)


def test_pad_transcripts_shifts_tokens_past_the_blank():
    padded = pad_transcripts([[0, 2, 2], [], [1]])
    assert padded.tolist() == [[1, 3, 3], [0, 0, 0], [2, 0, 0]]
    assert transcript_lengths(padded).tolist() == [3, 0, 1]
    assert pad_transcripts([[]]).shape == (1, 1)


def test_decode_utterance_scores_the_whole_labelling():
    y = np.array([[0.4, 0.6], [0.4, 0.6]])  # [T=2, C=2]: p("1") = .36 + .24 + .24
    tokens, log_p = decode_utterance(np.log(y))
    assert tokens == [0] and log_p == pytest.approx(np.log(0.84))
    labels, scores = beam_search(np.log(y)[:, None, :], [2], return_scores=True)
    assert log_p == pytest.approx(scores[0])
    assert decode_utterance(np.log(y), beam_width=1) == (tokens, pytest.approx(log_p))
    with pytest.raises(ValueError, match="beam_width"):
        decode_utterance(np.log(y), beam_width=0)


def test_token_errors_count_edits_over_reference_tokens():
    # frames: token 0, blank, token 1 -> decoded [0, 1]; the reference is [0, 0, 1]
    path = np.log(0.01 + 0.97 * np.eye(3)[[1, 0, 2]])[:, None, :]  # [T=3, B=1, C=3]
    amount, count = TOKEN_ERRORS.batch((minidl.tensor(path), np.array([3])), pad_transcripts([[0, 0, 1]]))
    assert (amount, count) == (1, 3)


def test_ctc_training_through_fit_learns_a_toy_task():
    """Two tokens, each a frame pattern: the recognizer must learn to read sequences of them."""
    rng = np.random.default_rng(0)
    patterns = np.array([[3.0, 0.0], [0.0, 3.0]])
    sequences, transcripts = [], []
    for _ in range(48):
        tokens = rng.integers(2, size=int(rng.integers(1, 4))).tolist()
        frames = [np.zeros((1, 2))]
        for t in tokens:
            frames += [np.repeat(patterns[t][None], 3, axis=0), np.zeros((1, 2))]  # pause between tokens
        x = np.concatenate(frames)  # [T, 2]
        sequences.append((x + 0.1 * rng.standard_normal(x.shape)).astype(np.float32))
        transcripts.append(tokens)
    targets = pad_transcripts(transcripts)
    minidl.manual_seed(0)
    model = build_recognizer("gru", 2, 2, hidden_size=12, num_layers=1)
    loader = BatchLoader(sequences, targets, batch_size=8, shuffle=True)
    history = fit(model, loader, ctc_batch_loss, optim.Adam(model.parameters(), lr=0.02), epochs=25,
                  forward=ctc_forward(model), metric=TOKEN_ERRORS, progress=False)
    assert history.columns[2] == "token_error_rate"
    assert history.rows[-1]["token_error_rate"] <= 0.05 < history.rows[0]["token_error_rate"]
    log_probs = frame_log_probs(model, BatchLoader(sequences, targets, batch_size=8))
    assert [len(lp) for lp in log_probs] == [len(s) for s in sequences]
    assert decode_utterance(log_probs[0])[0] == transcripts[0] and BLANK == 0
