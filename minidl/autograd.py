"""The backward pass: the chain rule applied in reverse topological order.

Each recorded op is a node. Backward visits the nodes so that a node runs
only after every node that consumed its outputs has run, which is exactly
when the gradient of its outputs is complete. The order is computed with an
explicit stack, never recursion, so a graph 100 000 ops deep is fine.
"""
from __future__ import annotations

from minidl.errors import BackwardError


def topological_order(root_fn) -> list:
    """Functions reachable from ``root_fn``, each after all of its inputs' creators.

    Depth-first search with an explicit stack: a node is pushed once to be
    expanded (its inputs' creators pushed above it) and once more, below
    them, to be emitted after they are all done (post-order).
    """
    order, visited = [], set()
    stack = [(root_fn, False)]
    while stack:
        fn, inputs_done = stack.pop()
        if inputs_done:
            order.append(fn)
            continue
        if id(fn) in visited:
            continue
        visited.add(id(fn))
        stack.append((fn, True))
        for t in fn.inputs:
            creator = t._creator
            if creator is not None and id(creator) not in visited:
                stack.append((creator, False))
    return order


def backward(root, grad) -> None:
    """Accumulate d(root)/d(leaf) * grad into ``leaf.grad`` for every leaf.

    ``grad`` has root's shape; gradients of the same tensor reached through
    several paths add up (the multivariate chain rule).
    """
    xp = root.xp
    if root._creator is None:  # backward on a leaf: its gradient is grad
        _accumulate_leaf(root, grad)
        return
    # output gradients of every node, one slot per output, filled as we go
    pending = {id(root._creator): [None] * root._creator.n_outputs}
    pending[id(root._creator)][root._output_index] = grad
    for fn in reversed(topological_order(root._creator)):
        out_grads = pending.pop(id(fn), None)
        if out_grads is None:  # no path from this node reached root
            continue
        out_grads = [
            g if g is not None else xp.zeros(shape, dtype)
            for g, (shape, dtype) in zip(out_grads, fn.output_specs)
        ]
        in_grads = fn.backward(*out_grads)
        if not isinstance(in_grads, tuple):
            in_grads = (in_grads,)
        if len(in_grads) != len(fn.inputs):
            raise BackwardError(
                f"{type(fn).__name__}.backward returned {len(in_grads)} gradients "
                f"for {len(fn.inputs)} inputs"
            )
        for t, g in zip(fn.inputs, in_grads):
            if g is None or not t.requires_grad:
                continue
            if g.shape != t.shape:
                raise BackwardError(
                    f"{type(fn).__name__}.backward returned a gradient of shape "
                    f"{g.shape} for an input of shape {t.shape}"
                )
            if t._creator is None:
                _accumulate_leaf(t, g)
            else:
                slots = pending.setdefault(id(t._creator), [None] * t._creator.n_outputs)
                i = t._output_index
                slots[i] = g if slots[i] is None else slots[i] + g


def _accumulate_leaf(t, g) -> None:
    g = g.astype(t.dtype, copy=False)
    # copy on first write: the array may be shared with another tensor's grad
    t.grad = g.copy() if t.grad is None else t.grad + g
