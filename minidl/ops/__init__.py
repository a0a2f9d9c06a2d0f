"""The differentiable operations, one family per file.

``arithmetic``  + - * / ** neg and matmul
``reduction``   sum, mean, max, min
``shape``       reshape, permute, indexing, concat, stack, where
``pointwise``   cast (astype), exp, log, sqrt, abs, clip, tanh, sigmoid, relu
``softmax``     softmax and log_softmax

Each file holds ``Function`` subclasses with ``forward`` and ``backward``
next to each other, and, for ops that are not methods of ``Tensor``, a small
public function that applies them.
"""
