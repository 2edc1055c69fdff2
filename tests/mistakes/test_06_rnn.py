"""Mistakes corpus of notebook 06 (recurrent networks: RNN, LSTM, GRU).

For every exercise: wrong implementations that students really write, which the hidden
test cell must reject with a message naming the function, and different correct
implementations that both test cells must accept. Each runs through the grader's engine
(``autograde.grading.trials.run_exercise``), with the exercise's solution cell replaced
by the variant's source (the other solution cells keep the reference).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pytest

from . import corpus

NOTEBOOK = Path(__file__).resolve().parents[2] / "solutions" / "06_rnn" / "06_rnn.ipynb"

SIGNATURES = {
    "rnn_step": "x_t, a_prev, W_F, W_R, b",
    "rnn_forward": "X, a0, W_F, W_R, b",
    "rnn_param_count": "n_in, n_hidden",
    "sequence_cross_entropy": "y, P",
    "birnn_forward": "X, params_fwd, params_bwd",
    "rnn_state_grads": "states, W_R, grad_last",
    "lstm_params_from_keras": "kernel, recurrent_kernel, bias",
    "lstm_step": "x_t, h_prev, c_prev, params",
    "lstm_param_count": "n_in, n_hidden",
    "gru_params_from_keras": "kernel, recurrent_kernel, bias",
    "gru_step": "x_t, h_prev, params",
    "gru_param_count": "n_in, n_hidden",
    "sample_with_temperature": "logits, temperature, u",
}


@dataclass(frozen=True)
class Variant:
    """One implementation of an exercise: its function, a short id, why it exists, its code."""

    exercise: str
    id: str
    why: str
    source: str


def _v(exercise: str, mid: str, why: str, body: str) -> Variant:
    """A variant: ``def exercise(<its signature>):`` followed by ``body`` (4-space indented)."""
    lines = body.strip("\n").splitlines()
    source = (f"def {exercise}({SIGNATURES[exercise]}):\n"
              + "\n".join("    " + line for line in lines) + "\n")
    return Variant(exercise, mid, why, source)


# Pieces of the LSTM and GRU steps, written out once; each variant below changes one thing.
_SIG = "def sig(z):\n    return 1 / (1 + np.exp(-z))\n"
_LSTM_PRE = _SIG + """
def pre(g):
    return x_t @ params[f"W_{g}"].T + h_prev @ params[f"U_{g}"].T + params[f"b_{g}"]
f, i, o, cand = sig(pre("f")), sig(pre("i")), sig(pre("o")), np.tanh(pre("c"))
"""
_GRU_PRE = _SIG + """
def fx(g):
    return x_t @ params[f"W_{g}"].T + params[f"bW_{g}"]
def fh(g):
    return h_prev @ params[f"U_{g}"].T + params[f"bU_{g}"]
z, r = sig(fx("z") + fh("z")), sig(fx("r") + fh("r"))
"""
_SOFTMAX = """
z = np.asarray(logits, dtype=np.float64) / temperature
p = np.exp(z - z.max(axis=1, keepdims=True))
p /= p.sum(axis=1, keepdims=True)
"""

MISTAKES = [
    # ----------------------------------------------------------------- rnn_step
    _v("rnn_step", "swapped-weights", "W_F and W_R look alike; with n_in = n_hidden both fit.",
       "return np.tanh(x_t @ W_R.T + a_prev @ W_F.T + b)"),
    _v("rnn_step", "no-previous-state", "Written like a dense layer: the recurrence is forgotten.",
       "return np.tanh(x_t @ W_F.T + b)"),
    _v("rnn_step", "sigmoid", "The notes write sigma, so the sigmoid is used instead of tanh.",
       "return 1 / (1 + np.exp(-(x_t @ W_F.T + a_prev @ W_R.T + b)))"),
    _v("rnn_step", "no-bias", "The two matrix products are the memorable part.",
       "return np.tanh(x_t @ W_F.T + a_prev @ W_R.T)"),
    _v("rnn_step", "no-transpose", "Batch rows are multiplied by W as stored, (n_out, n_in).",
       "return np.tanh(x_t @ W_F + a_prev @ W_R + b)"),
    # ----------------------------------------------------------------- rnn_forward
    _v("rnn_forward", "last-state-only", "Many-to-one habits: only the final state is returned.",
       "a = a0\nfor t in range(X.shape[1]):\n    a = rnn_step(X[:, t], a, W_F, W_R, b)\nreturn a"),
    _v("rnn_forward", "time-major", "np.stack's default axis=0 gives (T, m, n), as in PyTorch.",
       "a, out = a0, []\nfor t in range(X.shape[1]):\n"
       "    a = rnn_step(X[:, t], a, W_F, W_R, b)\n    out.append(a)\nreturn np.stack(out)"),
    _v("rnn_forward", "no-carry", "a0 is passed to every step instead of the previous state.",
       "out = [rnn_step(X[:, t], a0, W_F, W_R, b) for t in range(X.shape[1])]\n"
       "return np.stack(out, axis=1)"),
    _v("rnn_forward", "includes-a0", "The initial state is stored as the first state.",
       "a, out = a0, [a0]\nfor t in range(X.shape[1]):\n"
       "    a = rnn_step(X[:, t], a, W_F, W_R, b)\n    out.append(a)\n"
       "return np.stack(out, axis=1)"),
    _v("rnn_forward", "ignores-a0", "Every RNN 'starts from zeros', so a0 is never read.",
       "a, out = np.zeros_like(a0), []\nfor t in range(X.shape[1]):\n"
       "    a = rnn_step(X[:, t], a, W_F, W_R, b)\n    out.append(a)\n"
       "return np.stack(out, axis=1)"),
    # ----------------------------------------------------------------- rnn_param_count
    _v("rnn_param_count", "no-bias", "Only the weight matrices are counted.",
       "return n_hidden * n_in + n_hidden * n_hidden"),
    _v("rnn_param_count", "no-recurrent", "Counted like a dense layer; W_R is forgotten.",
       "return n_hidden * n_in + n_hidden"),
    _v("rnn_param_count", "recurrent-input-size", "W_R taken as (n_in, n_in), the input's size.",
       "return n_hidden * n_in + n_in * n_in + n_hidden"),
    _v("rnn_param_count", "two-biases", "One bias for W_F and one for W_R, as in a GRU.",
       "return n_hidden * n_in + n_hidden * n_hidden + 2 * n_hidden"),
    # ----------------------------------------------------------------- sequence_cross_entropy
    _v("sequence_cross_entropy", "mean-over-time", "Keras's default: the mean over every step.",
       "P = np.clip(P, 1e-12, 1.0)\n"
       "return float(-np.log(np.take_along_axis(P, y[..., None], axis=-1)).mean())"),
    _v("sequence_cross_entropy", "sum-over-batch", "The notes 'add the losses' of the batch.",
       "P = np.clip(P, 1e-12, 1.0)\n"
       "return float(-np.log(np.take_along_axis(P, y[..., None], axis=-1)).sum())"),
    _v("sequence_cross_entropy", "no-clip", "The clipping of notebook 02 is forgotten.",
       "p = np.take_along_axis(np.asarray(P), np.asarray(y)[..., None], axis=-1)\n"
       "return float(-np.log(p).sum() / len(P))"),
    _v("sequence_cross_entropy", "all-classes", "-log P summed over all classes.",
       "return float(-np.log(np.clip(P, 1e-12, 1.0)).sum() / len(P))"),
    _v("sequence_cross_entropy", "per-sequence", "The loss of each sequence, never averaged.",
       "P = np.clip(P, 1e-12, 1.0)\n"
       "return -np.log(np.take_along_axis(P, y[..., None], axis=-1))[..., 0].sum(axis=1)"),
    # ----------------------------------------------------------------- birnn_forward
    _v("birnn_forward", "no-flip-back", "The reversed states are concatenated as they come out.",
       "a0 = np.zeros((X.shape[0], params_fwd[2].shape[0]))\n"
       "fwd = rnn_forward(X, a0, *params_fwd)\n"
       "bwd = rnn_forward(X[:, ::-1], a0, *params_bwd)\n"
       "return np.concatenate([fwd, bwd], axis=-1)"),
    _v("birnn_forward", "flip-batch-axis", "X[::-1] reverses the first axis, the batch.",
       "a0 = np.zeros((X.shape[0], params_fwd[2].shape[0]))\n"
       "fwd = rnn_forward(X, a0, *params_fwd)\n"
       "bwd = rnn_forward(X[::-1], a0, *params_bwd)[::-1]\n"
       "return np.concatenate([fwd, bwd], axis=-1)"),
    _v("birnn_forward", "backward-first", "The two halves are joined in the other order.",
       "a0 = np.zeros((X.shape[0], params_fwd[2].shape[0]))\n"
       "fwd = rnn_forward(X, a0, *params_fwd)\n"
       "bwd = rnn_forward(X[:, ::-1], a0, *params_bwd)[:, ::-1]\n"
       "return np.concatenate([bwd, fwd], axis=-1)"),
    _v("birnn_forward", "backward-from-forward-state",
       "The backward layer goes on from the forward layer's last state, as one long sequence.",
       "a0 = np.zeros((X.shape[0], params_fwd[2].shape[0]))\n"
       "fwd = rnn_forward(X, a0, *params_fwd)\n"
       "bwd = rnn_forward(X[:, ::-1], fwd[:, -1], *params_bwd)[:, ::-1]\n"
       "return np.concatenate([fwd, bwd], axis=-1)"),
    _v("birnn_forward", "same-params", "One set of weights is reused for both directions.",
       "a0 = np.zeros((X.shape[0], params_fwd[2].shape[0]))\n"
       "fwd = rnn_forward(X, a0, *params_fwd)\n"
       "bwd = rnn_forward(X[:, ::-1], a0, *params_fwd)[:, ::-1]\n"
       "return np.concatenate([fwd, bwd], axis=-1)"),
    # ----------------------------------------------------------------- rnn_state_grads
    _v("rnn_state_grads", "transposed-W_R", "The forward used W_R.T, so this does too.",
       "grads = np.zeros(states.shape)\ngrads[:, -1] = grad_last\n"
       "for t in range(states.shape[1] - 1, 0, -1):\n"
       "    grads[:, t - 1] = (grads[:, t] * (1 - states[:, t] ** 2)) @ W_R.T\nreturn grads"),
    _v("rnn_state_grads", "no-tanh-derivative", "Only the matrix is multiplied, step after step.",
       "grads = np.zeros(states.shape)\ngrads[:, -1] = grad_last\n"
       "for t in range(states.shape[1] - 1, 0, -1):\n"
       "    grads[:, t - 1] = grads[:, t] @ W_R\nreturn grads"),
    _v("rnn_state_grads", "wrong-step-derivative", "The derivative of the state being reached.",
       "grads = np.zeros(states.shape)\ngrads[:, -1] = grad_last\n"
       "for t in range(states.shape[1] - 1, 0, -1):\n"
       "    grads[:, t - 1] = (grads[:, t] * (1 - states[:, t - 1] ** 2)) @ W_R\nreturn grads"),
    _v("rnn_state_grads", "reversed-order", "Appended going back, never reversed.",
       "g, out = grad_last, [grad_last]\n"
       "for t in range(states.shape[1] - 1, 0, -1):\n"
       "    g = (g * (1 - states[:, t] ** 2)) @ W_R\n    out.append(g)\n"
       "return np.stack(out, axis=1)"),
    _v("rnn_state_grads", "sigmoid-derivative", "s (1 - s), the derivative met in notebook 03.",
       "grads = np.zeros(states.shape)\ngrads[:, -1] = grad_last\n"
       "for t in range(states.shape[1] - 1, 0, -1):\n"
       "    s = states[:, t]\n    grads[:, t - 1] = (grads[:, t] * s * (1 - s)) @ W_R\n"
       "return grads"),
    # ----------------------------------------------------------------- lstm_params_from_keras
    _v("lstm_params_from_keras", "order-ifoc", "Gates in the order the notes list the outputs.",
       "n = recurrent_kernel.shape[0]\nout = {}\n"
       "for k, g in enumerate('ifoc'):\n    s = slice(k * n, (k + 1) * n)\n"
       "    out.update({f'W_{g}': kernel[:, s].T, f'U_{g}': recurrent_kernel[:, s].T,\n"
       "                f'b_{g}': bias[s]})\nreturn out"),
    _v("lstm_params_from_keras", "order-icfo", "TF 1's LSTMCell order: i, j (candidate), f, o.",
       "n = recurrent_kernel.shape[0]\nout = {}\n"
       "for k, g in enumerate('icfo'):\n    s = slice(k * n, (k + 1) * n)\n"
       "    out.update({f'W_{g}': kernel[:, s].T, f'U_{g}': recurrent_kernel[:, s].T,\n"
       "                f'b_{g}': bias[s]})\nreturn out"),
    _v("lstm_params_from_keras", "no-transpose", "Keras's (n_in, n) blocks are kept as they are.",
       "n = recurrent_kernel.shape[0]\nout = {}\n"
       "for k, g in enumerate('ifco'):\n    s = slice(k * n, (k + 1) * n)\n"
       "    out.update({f'W_{g}': kernel[:, s], f'U_{g}': recurrent_kernel[:, s],\n"
       "                f'b_{g}': bias[s]})\nreturn out"),
    _v("lstm_params_from_keras", "block-width-n_in", "kernel.shape[0] (n_in) taken as n.",
       "n = kernel.shape[0]\nout = {}\n"
       "for k, g in enumerate('ifco'):\n    s = slice(k * n, (k + 1) * n)\n"
       "    out.update({f'W_{g}': kernel[:, s].T, f'U_{g}': recurrent_kernel[:, s].T,\n"
       "                f'b_{g}': bias[s]})\nreturn out"),
    # ----------------------------------------------------------------- lstm_step
    _v("lstm_step", "no-tanh-output", "h_t = o c_t: the output gate filters the raw memory.",
       _LSTM_PRE + "c = f * c_prev + i * cand\nreturn o * c, c"),
    _v("lstm_step", "swapped-gates", "The update gate multiplies the old memory.",
       _LSTM_PRE + "c = i * c_prev + f * cand\nreturn o * np.tanh(c), c"),
    _v("lstm_step", "sigmoid-candidate", "Every gate is a sigmoid, so the candidate is too.",
       _LSTM_PRE + "c = f * c_prev + i * sig(pre('c'))\nreturn o * np.tanh(c), c"),
    _v("lstm_step", "no-bias", "The biases are left out of all four pre-activations.",
       _SIG + "def pre(g):\n    return x_t @ params[f'W_{g}'].T + h_prev @ params[f'U_{g}'].T\n"
       "c = sig(pre('f')) * c_prev + sig(pre('i')) * np.tanh(pre('c'))\n"
       "return sig(pre('o')) * np.tanh(c), c"),
    _v("lstm_step", "h-from-old-c", "The output is computed from c_prev, the memory at hand.",
       _LSTM_PRE + "c = f * c_prev + i * cand\nreturn o * np.tanh(c_prev), c"),
    _v("lstm_step", "recurrent-no-transpose",
       "U is square, so h_prev @ U fits as well as h_prev @ U.T.",
       _SIG + "def pre(g):\n"
       "    return x_t @ params[f'W_{g}'].T + h_prev @ params[f'U_{g}'] + params[f'b_{g}']\n"
       "c = sig(pre('f')) * c_prev + sig(pre('i')) * np.tanh(pre('c'))\n"
       "return sig(pre('o')) * np.tanh(c), c"),
    _v("lstm_step", "returns-c-h", "The tuple comes back in the order the cell computes it.",
       _LSTM_PRE + "c = f * c_prev + i * cand\nreturn c, o * np.tanh(c)"),
    # ----------------------------------------------------------------- lstm_param_count
    _v("lstm_param_count", "no-4x", "The plain RNN count, as if an LSTM were one layer.",
       "return n_hidden * (n_in + n_hidden + 1)"),
    _v("lstm_param_count", "no-bias", "Four gates, but only their weight matrices.",
       "return 4 * (n_hidden * n_in + n_hidden * n_hidden)"),
    _v("lstm_param_count", "three-gates", "The notes name three gates: forget, update, output.",
       "return 3 * n_hidden * (n_in + n_hidden + 1)"),
    _v("lstm_param_count", "one-bias", "One bias vector for the whole cell.",
       "return 4 * (n_hidden * n_in + n_hidden * n_hidden) + n_hidden"),
    # ----------------------------------------------------------------- gru_params_from_keras
    _v("gru_params_from_keras", "order-rzh", "PyTorch's GRU stores r, z, n.",
       "n = recurrent_kernel.shape[0]\nout = {}\n"
       "for k, g in enumerate('rzh'):\n    s = slice(k * n, (k + 1) * n)\n"
       "    out.update({f'W_{g}': kernel[:, s].T, f'U_{g}': recurrent_kernel[:, s].T,\n"
       "                f'bW_{g}': bias[0, s], f'bU_{g}': bias[1, s]})\nreturn out"),
    _v("gru_params_from_keras", "bias-rows-swapped", "Row 0 guessed to be the recurrent bias.",
       "n = recurrent_kernel.shape[0]\nout = {}\n"
       "for k, g in enumerate('zrh'):\n    s = slice(k * n, (k + 1) * n)\n"
       "    out.update({f'W_{g}': kernel[:, s].T, f'U_{g}': recurrent_kernel[:, s].T,\n"
       "                f'bW_{g}': bias[1, s], f'bU_{g}': bias[0, s]})\nreturn out"),
    _v("gru_params_from_keras", "no-transpose", "Keras's (n_in, n) blocks are kept as they are.",
       "n = recurrent_kernel.shape[0]\nout = {}\n"
       "for k, g in enumerate('zrh'):\n    s = slice(k * n, (k + 1) * n)\n"
       "    out.update({f'W_{g}': kernel[:, s], f'U_{g}': recurrent_kernel[:, s],\n"
       "                f'bW_{g}': bias[0, s], f'bU_{g}': bias[1, s]})\nreturn out"),
    _v("gru_params_from_keras", "lstm-style-bias", "Copied from the LSTM converter: a 1-D bias.",
       "n = recurrent_kernel.shape[0]\nout = {}\n"
       "for k, g in enumerate('zrh'):\n    s = slice(k * n, (k + 1) * n)\n"
       "    out.update({f'W_{g}': kernel[:, s].T, f'U_{g}': recurrent_kernel[:, s].T,\n"
       "                f'bW_{g}': bias[s], f'bU_{g}': bias[s]})\nreturn out"),
    # ----------------------------------------------------------------- gru_step
    _v("gru_step", "z-on-candidate", "Chung et al. (2014) and many tutorials put z on the "
       "candidate.",
       _GRU_PRE + "cand = np.tanh(fx('h') + r * fh('h'))\nreturn (1 - z) * h_prev + z * cand"),
    _v("gru_step", "reset-before", "The original GRU resets h_prev before the product.",
       _GRU_PRE + "cand = np.tanh(fx('h') + (r * h_prev) @ params['U_h'].T + params['bU_h'])\n"
       "return z * h_prev + (1 - z) * cand"),
    _v("gru_step", "no-recurrent-bias", "One bias per gate, as in the LSTM.",
       _SIG + "def fx(g):\n    return x_t @ params[f'W_{g}'].T + params[f'bW_{g}']\n"
       "def fh(g):\n    return h_prev @ params[f'U_{g}'].T\n"
       "z, r = sig(fx('z') + fh('z')), sig(fx('r') + fh('r'))\n"
       "return z * h_prev + (1 - z) * np.tanh(fx('h') + r * fh('h'))"),
    _v("gru_step", "sigmoid-candidate", "Every block is a sigmoid, so the candidate is too.",
       _GRU_PRE + "cand = sig(fx('h') + r * fh('h'))\nreturn z * h_prev + (1 - z) * cand"),
    _v("gru_step", "reset-on-input", "The reset gate scales the input term instead.",
       _GRU_PRE + "cand = np.tanh(r * fx('h') + fh('h'))\nreturn z * h_prev + (1 - z) * cand"),
    # ----------------------------------------------------------------- gru_param_count
    _v("gru_param_count", "one-bias", "The classic GRU (reset_after=False).",
       "return 3 * (n_hidden * n_in + n_hidden * n_hidden + n_hidden)"),
    _v("gru_param_count", "four-blocks", "The LSTM's 4x carried over to the GRU.",
       "return 4 * (n_hidden * n_in + n_hidden * n_hidden + 2 * n_hidden)"),
    _v("gru_param_count", "no-bias", "Only the weight matrices are counted.",
       "return 3 * (n_hidden * n_in + n_hidden * n_hidden)"),
    _v("gru_param_count", "two-gates", "A GRU has two gates, so two blocks.",
       "return 2 * (n_hidden * n_in + n_hidden * n_hidden + 2 * n_hidden)"),
    # ----------------------------------------------------------------- sample_with_temperature
    _v("sample_with_temperature", "times-temperature", "The logits are multiplied by tau.",
       "z = np.asarray(logits, dtype=np.float64) * temperature\n"
       "p = np.exp(z - z.max(axis=1, keepdims=True))\np /= p.sum(axis=1, keepdims=True)\n"
       "k = (np.cumsum(p, axis=1) <= np.asarray(u)[:, None]).sum(axis=1)\n"
       "return np.minimum(k, p.shape[1] - 1)"),
    _v("sample_with_temperature", "argmax", "Greedy decoding: the most likely class, u unused.",
       "return np.argmax(logits, axis=1)"),
    _v("sample_with_temperature", "no-max-shift", "exp(z) overflows for a small temperature.",
       "z = np.asarray(logits, dtype=np.float64) / temperature\n"
       "p = np.exp(z)\np /= p.sum(axis=1, keepdims=True)\n"
       "k = (np.cumsum(p, axis=1) <= np.asarray(u)[:, None]).sum(axis=1)\n"
       "return np.minimum(k, p.shape[1] - 1)"),
    _v("sample_with_temperature", "no-clip", "The last cumulative sum is assumed to be exactly 1.",
       _SOFTMAX + "return (np.cumsum(p, axis=1) <= np.asarray(u)[:, None]).sum(axis=1)"),
    _v("sample_with_temperature", "argmax-of-mask", "argmax of an all-False row is 0, not K - 1.",
       _SOFTMAX + "return np.argmax(np.cumsum(p, axis=1) > np.asarray(u)[:, None], axis=1)"),
    _v("sample_with_temperature", "random-choice",
       "np.random's choice draws the class itself; u is never read.",
       _SOFTMAX + "rng = np.random.default_rng(0)\n"
       "return np.array([rng.choice(len(row), p=row) for row in p])"),
    _v("sample_with_temperature", "unnormalised", "The division by the sum is forgotten.",
       "z = np.asarray(logits, dtype=np.float64) / temperature\n"
       "p = np.exp(z - z.max(axis=1, keepdims=True))\n"
       "k = (np.cumsum(p, axis=1) <= np.asarray(u)[:, None]).sum(axis=1)\n"
       "return np.minimum(k, p.shape[1] - 1)"),
]

ALTERNATIVES = [
    _v("rnn_step", "column-form", "The notes' column vectors: W_F x^T, transposed back.",
       "return np.tanh((W_F @ x_t.T + W_R @ a_prev.T + b[:, None]).T)"),
    _v("rnn_step", "einsum-sigmoid-tanh", "einsum, and tanh written as 2 sigmoid(2z) - 1.",
       "z = np.einsum('hi,mi->mh', W_F, x_t) + np.einsum('hk,mk->mh', W_R, a_prev) + b\n"
       "return 2 / (1 + np.exp(-2 * z)) - 1"),
    _v("rnn_forward", "preallocated", "Writes each state into a preallocated array, own tanh.",
       "m, T, _ = X.shape\nstates = np.empty((m, T, len(b)))\na = a0\n"
       "for t in range(T):\n    a = np.tanh(X[:, t] @ W_F.T + a @ W_R.T + b)\n"
       "    states[:, t] = a\nreturn states"),
    _v("rnn_forward", "transpose-list", "A time-major list, transposed to batch-first at the end.",
       "a, out = a0, []\nfor x_t in np.swapaxes(X, 0, 1):\n"
       "    a = rnn_step(x_t, a, W_F, W_R, b)\n    out.append(a)\n"
       "return np.array(out).transpose(1, 0, 2)"),
    _v("rnn_param_count", "factored", "n_hidden (n_in + n_hidden + 1), factored.",
       "return n_hidden * (n_in + n_hidden + 1)"),
    _v("rnn_param_count", "from-shapes", "Sums the sizes of the three arrays' shapes.",
       "shapes = [(n_hidden, n_in), (n_hidden, n_hidden), (n_hidden,)]\n"
       "return int(sum(np.prod(s) for s in shapes))"),
    _v("sequence_cross_entropy", "loop", "Two Python loops with math.log.",
       "import math\ntotal = 0.0\nfor i in range(len(y)):\n"
       "    for t in range(len(y[i])):\n"
       "        total -= math.log(min(max(P[i][t][y[i][t]], 1e-12), 1.0))\n"
       "return total / len(y)"),
    _v("sequence_cross_entropy", "one-hot", "One-hot targets times log P, as in notebook 02.",
       "Y = np.eye(np.shape(P)[-1])[y]\n"
       "return float(-np.sum(Y * np.log(np.clip(P, 1e-12, 1.0))) / np.shape(P)[0])"),
    _v("birnn_forward", "np-flip", "np.flip along the time axis, both ways.",
       "zeros = np.zeros((X.shape[0], params_fwd[1].shape[0]))\n"
       "fwd = rnn_forward(X, zeros, *params_fwd)\n"
       "bwd = np.flip(rnn_forward(np.flip(X, axis=1), zeros, *params_bwd), axis=1)\n"
       "return np.concatenate((fwd, bwd), axis=2)"),
    _v("birnn_forward", "explicit-loops", "Two loops with rnn_step, the second from T-1 to 0.",
       "m, T, _ = X.shape\nn = params_fwd[2].shape[0]\nout = np.zeros((m, T, 2 * n))\n"
       "a = np.zeros((m, n))\nfor t in range(T):\n"
       "    a = rnn_step(X[:, t], a, *params_fwd)\n    out[:, t, :n] = a\n"
       "a = np.zeros((m, n))\nfor t in reversed(range(T)):\n"
       "    a = rnn_step(X[:, t], a, *params_bwd)\n    out[:, t, n:] = a\nreturn out"),
    _v("rnn_state_grads", "list-reversed", "A list built backwards, reversed, then stacked.",
       "g, out = grad_last, [grad_last]\n"
       "for t in range(states.shape[1] - 1, 0, -1):\n"
       "    g = (g * (1 - states[:, t] ** 2)) @ W_R\n    out.append(g)\n"
       "return np.stack(out[::-1], axis=1)"),
    _v("rnn_state_grads", "jacobians", "Per-sample Jacobians diag(1 - a^2) W_R, with einsum.",
       "m, T, n = states.shape\ngrads = np.zeros((m, T, n))\ngrads[:, -1] = grad_last\n"
       "for t in range(T - 1, 0, -1):\n"
       "    J = (1 - states[:, t] ** 2)[:, :, None] * W_R[None]   # (m, n, n)\n"
       "    grads[:, t - 1] = np.einsum('mi,mij->mj', grads[:, t], J)\nreturn grads"),
    _v("lstm_params_from_keras", "np-split", "np.split into four blocks along the columns.",
       "parts = zip('ifco', np.split(kernel, 4, axis=1), np.split(recurrent_kernel, 4, axis=1),\n"
       "            np.split(bias, 4))\n"
       "return {key: value for g, W, U, b in parts\n"
       "        for key, value in [(f'W_{g}', W.T), (f'U_{g}', U.T), (f'b_{g}', b)]}"),
    _v("lstm_params_from_keras", "reshape", "Reshape the columns into (4, n) and index the gate.",
       "n = bias.shape[0] // 4\nK = kernel.reshape(kernel.shape[0], 4, n)\n"
       "R = recurrent_kernel.reshape(n, 4, n)\nB = bias.reshape(4, n)\nparams = {}\n"
       "for k, g in enumerate('ifco'):\n"
       "    params['W_' + g], params['U_' + g], params['b_' + g] = K[:, k].T, R[:, k].T, B[k]\n"
       "return params"),
    _v("lstm_step", "stacked", "All four gates in one product, split afterwards.",
       "W = np.concatenate([params[f'W_{g}'] for g in 'ifco'])\n"
       "U = np.concatenate([params[f'U_{g}'] for g in 'ifco'])\n"
       "b = np.concatenate([params[f'b_{g}'] for g in 'ifco'])\n"
       "zi, zf, zc, zo = np.split(x_t @ W.T + h_prev @ U.T + b, 4, axis=1)\n"
       "sig = lambda z: 1 / (1 + np.exp(-z))\n"
       "c = sig(zf) * c_prev + sig(zi) * np.tanh(zc)\nreturn sig(zo) * np.tanh(c), c"),
    _v("lstm_step", "tanh-sigmoid", "The sigmoid written as (1 + tanh(z / 2)) / 2.",
       "gate = {}\nfor g in 'ifco':\n"
       "    z = x_t @ params['W_' + g].T + h_prev @ params['U_' + g].T + params['b_' + g]\n"
       "    gate[g] = np.tanh(z) if g == 'c' else (1 + np.tanh(z / 2)) / 2\n"
       "c_t = gate['f'] * c_prev + gate['i'] * gate['c']\n"
       "return (gate['o'] * np.tanh(c_t), c_t)"),
    _v("lstm_param_count", "four-times-rnn", "Four times the plain RNN's count.",
       "return 4 * n_hidden * (n_in + n_hidden + 1)"),
    _v("lstm_param_count", "from-keras-shapes", "The sizes of Keras's three arrays.",
       "return int(n_in * 4 * n_hidden + n_hidden * 4 * n_hidden + 4 * n_hidden)"),
    _v("gru_params_from_keras", "np-split", "np.split into three blocks, both bias rows at once.",
       "out = {}\nfor g, W, U, bW, bU in zip('zrh', np.split(kernel, 3, axis=1),\n"
       "                              np.split(recurrent_kernel, 3, axis=1),\n"
       "                              np.split(bias[0], 3), np.split(bias[1], 3)):\n"
       "    out.update({'W_' + g: W.T, 'U_' + g: U.T, 'bW_' + g: bW, 'bU_' + g: bU})\n"
       "return out"),
    _v("gru_params_from_keras", "reshape", "Reshape the columns into (3, n) and index the block.",
       "n = recurrent_kernel.shape[0]\nK = kernel.reshape(-1, 3, n)\n"
       "R = recurrent_kernel.reshape(n, 3, n)\nB = bias.reshape(2, 3, n)\n"
       "return {name: value for k, g in enumerate('zrh') for name, value in\n"
       "        [('W_' + g, K[:, k].T), ('U_' + g, R[:, k].T), ('bW_' + g, B[0, k]),\n"
       "         ('bU_' + g, B[1, k])]}"),
    _v("gru_step", "stacked", "The three blocks in one product per side, as Keras does.",
       "W = np.concatenate([params['W_' + g] for g in 'zrh'])\n"
       "U = np.concatenate([params['U_' + g] for g in 'zrh'])\n"
       "bW = np.concatenate([params['bW_' + g] for g in 'zrh'])\n"
       "bU = np.concatenate([params['bU_' + g] for g in 'zrh'])\n"
       "xz, xr, xh = np.split(x_t @ W.T + bW, 3, axis=1)\n"
       "hz, hr, hh = np.split(h_prev @ U.T + bU, 3, axis=1)\n"
       "z, r = 1 / (1 + np.exp(-(xz + hz))), 1 / (1 + np.exp(-(xr + hr)))\n"
       "return z * h_prev + (1 - z) * np.tanh(xh + r * hh)"),
    _v("gru_step", "interpolation", "h_prev + (1 - z) (candidate - h_prev), the same blend.",
       _GRU_PRE + "cand = np.tanh(fx('h') + r * fh('h'))\n"
       "return h_prev + (1 - z) * (cand - h_prev)"),
    _v("gru_param_count", "factored", "3 n (n_in + n + 2), factored.",
       "return 3 * n_hidden * (n_in + n_hidden + 2)"),
    _v("gru_param_count", "rnn-plus-biases", "Three plain RNN layers plus the extra biases.",
       "return 3 * (n_hidden * (n_in + n_hidden + 1)) + 3 * n_hidden"),
    _v("sample_with_temperature", "searchsorted-loop", "np.searchsorted row by row, clipped.",
       _SOFTMAX + "K = p.shape[1]\n"
       "return np.array([min(int(np.searchsorted(np.cumsum(row), ui, side='right')), K - 1)\n"
       "                 for row, ui in zip(p, u)])"),
    _v("sample_with_temperature", "searchsorted-left",
       "np.searchsorted's default side: cumsum >= u, not > u, a tie of probability zero.",
       _SOFTMAX + "idx = [np.searchsorted(c, ui) for c, ui in zip(np.cumsum(p, axis=1), u)]\n"
       "return np.minimum(np.array(idx), p.shape[1] - 1)"),
    _v("sample_with_temperature", "walk", "Walks along each row until the sum passes u.",
       _SOFTMAX + "out = []\nfor row, ui in zip(p, u):\n    k, total = 0, row[0]\n"
       "    while total <= ui and k < len(row) - 1:\n"
       "        k += 1\n        total += row[k]\n    out.append(k)\n"
       "return np.array(out, dtype=int)"),
]


def test_reference_solutions_pass_every_test_cell():
    corpus.assert_reference_passes(NOTEBOOK, list(SIGNATURES))


@pytest.mark.parametrize("exercise", list(SIGNATURES))
def test_release_stub_fails_both_test_cells(exercise):
    corpus.assert_release_stub_fails(NOTEBOOK, exercise)


def test_corpus_covers_every_exercise():
    corpus.assert_covers(list(SIGNATURES), MISTAKES, ALTERNATIVES)


@pytest.mark.parametrize("mistake", MISTAKES, ids=corpus.ids(MISTAKES))
def test_hidden_tests_reject_mistake(mistake):
    hidden = corpus.rejected(NOTEBOOK, mistake, errors=("CheckFailed", "AssertionError"))
    assert "expected" in hidden.message, hidden.message


@pytest.mark.parametrize("alternative", ALTERNATIVES, ids=corpus.ids(ALTERNATIVES))
def test_correct_alternative_passes_both_test_cells(alternative):
    corpus.assert_accepted(NOTEBOOK, alternative)


# Mistakes the public tests deliberately let through (the hidden tests keep them): an edge
# case or a size the public test leaves out so that it stays short.
PUBLIC_MISSES: dict[str, str] = {}


@pytest.mark.parametrize("mistake", MISTAKES, ids=corpus.ids(MISTAKES))
def test_public_test_rejects_mistake(mistake):
    corpus.assert_public_verdict(NOTEBOOK, mistake.exercise, mistake.id, mistake.source,
                                 PUBLIC_MISSES)


def test_public_misses_are_mistakes_of_the_corpus():
    corpus.assert_misses_are_mistakes(PUBLIC_MISSES, MISTAKES)


def _mistake(key: str) -> Variant:
    return next(m for m in MISTAKES if f"{m.exercise}-{m.id}" == key)


# What the size of the error says: each mistake below gets, in the public and in the hidden
# test, a message that names what went wrong, not only the wrong number.
SIZE_MESSAGES = {
    "sequence_cross_entropy-mean-over-time": "off by a factor, 1/T",
    "sequence_cross_entropy-sum-over-batch": "off by a factor, m = ",
    "rnn_param_count-no-recurrent": "W_R (n_hidden, n_hidden) is missing",
    "rnn_param_count-recurrent-input-size": "W_R maps the state to the state",
    "rnn_param_count-no-bias": "the bias b (n_hidden,) is missing",
    "lstm_param_count-no-4x": "an LSTM has 4 blocks",
    "lstm_param_count-three-gates": "the candidate is a fourth",
    "lstm_param_count-no-bias": "the 4 bias vectors are missing",
    "gru_param_count-one-bias": "one bias per block (reset_after=False)",
    "gru_param_count-four-blocks": "a GRU has 3",
    "gru_param_count-two-gates": "the candidate is a third",
}


@pytest.mark.parametrize("key", list(SIZE_MESSAGES))
def test_size_of_the_error_is_named(key):
    mistake = _mistake(key)
    results = corpus.outcomes(NOTEBOOK, mistake.exercise, mistake.source)
    for cell in (f"test_{mistake.exercise}", f"hidden_{mistake.exercise}"):
        assert not results[cell].passed, cell
        assert SIZE_MESSAGES[key] in results[cell].message, results[cell].message


def test_hidden_loss_names_the_mean_over_the_steps_only():
    # the mean over the steps, summed over the batch: m/T of the loss
    source = _v("sequence_cross_entropy", "x", "", "P = np.clip(P, 1e-12, 1.0)\n"
                "p = np.take_along_axis(P, y[..., None], axis=-1)[..., 0]\n"
                "return float(-np.log(p).mean(axis=1).sum())").source
    hidden = corpus.outcomes(NOTEBOOK, "sequence_cross_entropy", source)[
        "hidden_sequence_cross_entropy"]
    assert "m/T = 4/5 of it" in hidden.message, hidden.message


# Blame the right function: a later exercise that calls a wrong earlier one says so in its
# public test, and its hidden tests judge it with the reference of the earlier one.
_REFERENCE_STEP = "def rnn_step(x_t, a_prev, W_F, W_R, b):\n" \
                  "    return np.tanh(x_t @ W_F.T + a_prev @ W_R.T + b)\n"
_REFERENCE_FORWARD = "def rnn_forward(X, a0, W_F, W_R, b):\n" \
                     "    a, states = a0, []\n" \
                     "    for t in range(X.shape[1]):\n" \
                     "        a = rnn_step(X[:, t], a, W_F, W_R, b)\n" \
                     "        states.append(a)\n" \
                     "    return np.stack(states, axis=1)\n"
_BIRNN = _v("birnn_forward", "x", "", "a0 = np.zeros((X.shape[0], params_fwd[2].shape[0]))\n"
            "fwd = rnn_forward(X, a0, *params_fwd)\n"
            "bwd = rnn_forward(X[:, ::-1], a0, *params_bwd)[:, ::-1]\n"
            "return np.concatenate([fwd, bwd], axis=-1)").source


@pytest.mark.parametrize("earlier", ["rnn_step-no-bias", "rnn_step-swapped-weights",
                                     "rnn_step-sigmoid"])
def test_rnn_forward_blames_a_wrong_rnn_step(earlier):
    # the wrong rnn_step is defined again in rnn_forward's cell, which runs after its own
    source = _mistake(earlier).source + "\n\n" + _REFERENCE_FORWARD
    corpus.assert_blamed(corpus.outcomes(NOTEBOOK, "rnn_forward", source), "rnn_forward",
                         "rnn_step")


@pytest.mark.parametrize("earlier", ["rnn_forward-no-carry", "rnn_forward-includes-a0",
                                     "rnn_step-no-bias"])
def test_birnn_forward_blames_a_wrong_rnn_forward(earlier):
    mistake = _mistake(earlier)
    wrong = (mistake.source + "\n\n" + _REFERENCE_FORWARD if mistake.exercise == "rnn_step"
             else _REFERENCE_STEP + "\n\n" + mistake.source)
    corpus.assert_blamed(corpus.outcomes(NOTEBOOK, "birnn_forward", wrong + "\n\n" + _BIRNN),
                         "birnn_forward", "rnn_forward")
