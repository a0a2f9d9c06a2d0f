"""``minidl gradcheck [rnn|lstm|gru|all]``: finite-difference checks of the recurrent cells and layers."""
from __future__ import annotations

from minidl.nn.recurrent.checks import KINDS, check_recurrent


def add_parser(sub) -> None:
    p = sub.add_parser("gradcheck", help="float64 gradient checks of the RNN/LSTM/GRU cells and layers")
    p.add_argument("kind", nargs="?", default="all", choices=(*KINDS, "all"), help="which (default all)")
    p.set_defaults(func=cmd_gradcheck)


def format_rows(rows) -> str:
    lines = [f"{'kind':<6}{'what':<7}{'parameter':<24}{'max rel err':>12}{'max abs err':>12}  result"]
    for r in rows:
        lines.append(f"{r.kind:<6}{r.subject:<7}{r.name:<24}{r.max_rel_error:>12.2e}{r.max_abs_error:>12.2e}  "
                     f"{'ok' if r.passed else 'FAIL'}")
    return "\n".join(lines)


def cmd_gradcheck(args) -> int:
    kinds = list(KINDS) if args.kind == "all" else [args.kind]
    rows = [row for kind in kinds for row in check_recurrent(kind)]
    print("cell: one step_forward/step_backward; layer: 2 layers, bidirectional, lengths [3, 1]")
    print(format_rows(rows))
    failed = [r for r in rows if not r.passed]
    print(f"{len(rows) - len(failed)}/{len(rows)} gradients agree with central differences (float64)")
    return 1 if failed else 0
