"""``minidl bench --fsdd DIR``: one training epoch of ``minidl train --data fsdd:DIR``, against PyTorch.

The row builds exactly what ``minidl train --model lstm`` builds without
augmentation (the features, their dataset-wide standardization, the split,
the model, Adam, gradient clipping, the seeded batches) and times one
training epoch of it, as
``minidl.training.run_epoch`` runs it. The reference is the same model
written in PyTorch, started from the same weights, fed the same padded
batches in the same order, with the same optimizer and clipping: what a
PyTorch user would write (``pack_padded_sequence``, so each clip's last
valid frame gives its state, as our ``lengths`` do).

Why pinned to that recipe: real recordings default to crnn with
augmentation (docs/speaker-independence.md), whose batches are recomputed
every epoch from the audio; the question this row answers is how fast our
engine trains the same model on the same features as PyTorch does.

It lives in ``minidl.cli`` because it needs both ``audio`` (the features)
and ``minidl`` (the model): the one place they meet.
"""
from __future__ import annotations

import tempfile
from pathlib import Path

import numpy as np

import minidl
from kernels.bench import Row
from minidl import nn, optim
from minidl.benchmarks import torch_label, torch_or_none
from minidl.classifiers import build_classifier
from minidl.cli.runs import start_run
from minidl.cli.train import check_options, load_dataset
from minidl.data import BatchLoader
from minidl.training import run_epoch


RECIPE = ("--model", "lstm", "--normalize", "global", "--noise", "none", "--speed", "none", "--vtlp", "none",
          "--spec-augment", "none", "--gain-db", "none")  # the recurrent model, clean features


def recipe_arguments(fsdd_dir, parser):
    """The arguments of ``minidl train --data fsdd:DIR`` with the row's recipe and the task's defaults."""
    unused_out = Path(tempfile.gettempdir()) / "minidl-bench-epoch-never-written"
    args = parser.parse_args(["train", "--data", f"fsdd:{fsdd_dir}", "--out", str(unused_out), "--force",
                              *RECIPE])
    check_options(args)  # fills in the task's defaults
    return args


def torch_twin(torch, kind: str, input_size: int, hidden: int, classes: int, layers: int, bidirectional: bool):
    """``SequenceClassifier`` in PyTorch, with the same parameter names."""
    recurrent_class = {"rnn": torch.nn.RNN, "lstm": torch.nn.LSTM, "gru": torch.nn.GRU}[kind]
    pack = torch.nn.utils.rnn.pack_padded_sequence

    class Classifier(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.recurrent = recurrent_class(input_size, hidden, layers, batch_first=True, bidirectional=bidirectional)
            self.output = torch.nn.Linear(hidden * (2 if bidirectional else 1), classes)

        def forward(self, x, lengths):  # x [B, T, F]
            _, final = self.recurrent(pack(x, lengths, batch_first=True, enforce_sorted=False))
            h_n = final[0] if kind == "lstm" else final  # [L*D, B, H]
            last = h_n[-1] if not bidirectional else torch.cat([h_n[-2], h_n[-1]], dim=1)  # [B, D*H]
            return self.output(last)

    return Classifier()


def epoch_row(fsdd_dir, parser) -> Row:
    """The row; the data and both models are built at its first call (the harness's warm-up), so that a
    ``--only`` filter that leaves this row out never reads FSDD or extracts its features."""
    args = recipe_arguments(fsdd_dir, parser)
    torch = torch_or_none()
    sides = {}

    def prepare():
        run = start_run(args, load_dataset, model_tag=args.model, outputs=(), hop_ms=args.hop_ms)  # nothing written
        minidl.manual_seed(args.seed)
        input_size, classes = run.config.n_features, run.dataset.num_classes
        model = build_classifier(args.model, input_size, classes, hidden_size=args.hidden, num_layers=args.layers,
                                 bidirectional=args.bidirectional, dropout=args.dropout)
        optimizer = optim.Adam(model.parameters(), lr=args.lr)

        def batches():  # a new loader per epoch, same seed: both sides see the same batches in the same order
            return BatchLoader([run.features[i] for i in run.train], run.dataset.labels[run.train],
                               batch_size=args.batch_size, shuffle=True, seed=args.seed)

        sides["ours"] = lambda: run_epoch(model, batches(), nn.cross_entropy, optimizer=optimizer,
                                          clip_norm=args.clip or None)
        if torch is None:
            return
        twin = torch_twin(torch, args.model, input_size, args.hidden, classes, args.layers, args.bidirectional)
        twin.load_state_dict({name: torch.from_numpy(np.array(value)) for name, value in model.state_dict().items()})
        twin_optimizer = torch.optim.Adam(twin.parameters(), lr=args.lr)

        def reference_epoch():
            for batch in batches():
                twin_optimizer.zero_grad()
                logits = twin(torch.from_numpy(batch.inputs), torch.from_numpy(batch.lengths))
                torch.nn.functional.cross_entropy(logits, torch.from_numpy(batch.targets)).backward()
                if args.clip:
                    torch.nn.utils.clip_grad_norm_(twin.parameters(), args.clip)
                twin_optimizer.step()

        sides["reference"] = reference_epoch

    def run_side(name):
        if not sides:
            prepare()
        sides[name]()

    reference = (lambda: run_side("reference")) if torch is not None else None
    return Row(f"train epoch fsdd {args.model} H={args.hidden} (batch {args.batch_size})",
               lambda: run_side("ours"), reference, torch_label(torch), goal=1.0)
