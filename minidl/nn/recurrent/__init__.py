"""minidl.nn.recurrent: RNN, LSTM and GRU cells and layers, with hand-written BPTT.

Read it in the order the data flow, outermost first:

``layers.py``   ``RNN``, ``LSTM``, ``GRU``: check the call, hand it to the node
``node.py``     the layer's autograd node and its frozen ``LayerSettings``
``bptt.py``     the time loop of one layer and direction, and its BPTT
``compiled.py`` the same loop compiled whole (``kernels.recurrent.loop``), for the numba backend
``steps.py``    one time step of each cell, forward and backward
``weights.py``  the weights of one cell by name, and the projections around a step
``cells.py``    ``RNNCell``, ``LSTMCell``, ``GRUCell``: one step as a module
``inputs.py``   checking initial states and lengths
``twin.py``     the same equations composed from Tensor ops (autograd derives backward)
``checks.py``   gradient checks: BPTT against the twin, and against finite differences

The gate math itself, and the compiled loop, are in ``kernels.recurrent``.
"""
from minidl.nn.recurrent.cells import GRUCell, LSTMCell, RNNCell
from minidl.nn.recurrent.layers import GRU, LSTM, RNN

__all__ = ["GRU", "GRUCell", "LSTM", "LSTMCell", "RNN", "RNNCell"]
