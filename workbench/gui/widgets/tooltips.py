"""Tooltip texts for every control, keyed by the config's dotted path (the same words everywhere).

Each says what the setting is, whether it is a hyperparameter (set by you) or a parameter (learned),
typical values, and the symptom when it is too high or too low.
"""
from __future__ import annotations

HYPER = "Hyperparameter (you set it before training)."

TOOLTIPS: dict[str, str] = {
    # --- data ---------------------------------------------------------------------------------
    "data.dataset": (
        f"The data set to learn from. {HYPER} Typical: gauss or circle to start, spiral for a "
        "challenge, the tables (iris, wine, ...) for real data; 2-D sets show a decision boundary. "
        "Too hard for the network: both losses stay high; too easy: any network is perfect at once."),
    "data.samples": (
        f"How many samples a generated set has. {HYPER} Typical: 200-2000. Too few: the network "
        "memorises (training loss far below validation loss). Too many: epochs get slow."),
    "data.noise": (
        f"How much random noise the generated points get, 0 to 0.5. {HYPER} Typical: 0-0.2. "
        "Too high: classes overlap and no network can separate them."),
    "data.extra_features": (
        f"Inputs computed from a generated set's x1 and x2 and given to the network beside them, as "
        f"in TensorFlow Playground. {HYPER} Typical: none, and let the hidden layers find curves; "
        "x1^2 and x2^2 make circle a straight cut (no hidden layer needed), x1*x2 does the same for "
        "xor, sin(x1) and sin(x2) help spiral. Too many: more weights to learn, and the network leans "
        "on them instead of learning."),
    "data.val_split": (
        f"Fraction of samples held out to measure generalisation (validation loss). {HYPER} "
        "Typical: 0.1-0.3. Too low: a noisy validation curve. Too high: too little to train on."),
    "data.test_split": (
        f"Fraction held out and never looked at during training or tuning. {HYPER} Typical: 0-0.2. "
        "Too low: no unbiased final score after tuning. Too high: too little left to train on."),
    "training.seed": (
        f"Seed for data, initial weights, shuffling and dropout. {HYPER} Typical: any whole number; "
        "the same seed gives the same result, so Reset reruns a run exactly. Too much depends on it "
        "when results change a lot from seed to seed: the model or the data is too small."),
    # --- layers -------------------------------------------------------------------------------
    "layer.units": (
        f"Neurons in this hidden layer. {HYPER} Typical: 4-256. Too few: underfits (both losses "
        "stay high). Too many: slower, and overfits small data (validation loss rises)."),
    "layer.activation": (
        f"The non-linearity after this layer. {HYPER} Typical: relu, a good default; tanh suits "
        "small 2-D problems. Too saturating (sigmoid in a deep net): learning is slow; too simple "
        "(linear): the layer adds nothing for non-linear problems."),
    "layer.dropout": (
        f"Fraction of this layer's outputs zeroed at random during training. {HYPER} Typical: 0-0.5. "
        "Too high: underfits and the training loss is noisy. Helps when validation loss rises."),
    "layer.init": (
        f"How this layer's initial weights are drawn. {HYPER} Typical: he for relu-like "
        "activations, xavier for tanh and sigmoid. Too large a scale: the loss explodes at the "
        "start; too small: it sits flat for many epochs."),
    "layer.weight": (
        "Weights: a parameter (learned by training), fan_in x fan_out values per layer."),
    "layer.bias": ("Biases: a parameter (learned by training), one per neuron."),
    # --- optimizer ----------------------------------------------------------------------------
    "optimizer.name": (
        f"The update rule. {HYPER} Typical: adam, a robust default; sgd needs a larger learning "
        "rate and more epochs; momentum and nesterov speed sgd up on long valleys. Too slow a rule "
        "for the problem: the loss falls steadily but slowly; too aggressive: it jumps around."),
    "optimizer.lr": (
        f"Learning rate: the step size of every update. {HYPER} Typical: 0.001-0.1 (adam about "
        "0.001-0.01). Too high: the loss jumps around or diverges (NaN). Too low: the loss falls "
        "very slowly. You may change it while training; it applies from the next epoch."),
    "optimizer.momentum": (
        f"How much of the previous update carries on (momentum, nesterov, rmsprop). {HYPER} "
        "Typical: 0.9. Too high: overshoots and oscillates. Too low: slow on long valleys."),
    "optimizer.beta1": (
        f"Adam's decay for the running mean of gradients. {HYPER} Typical: 0.9. Too low: noisy "
        "updates. Too high: sluggish reaction to a changing slope."),
    "optimizer.beta2": (
        f"Adam's decay for the running mean of squared gradients. {HYPER} Typical: 0.999. Too low: "
        "unstable step sizes."),
    "optimizer.rho": (
        f"RMSprop's decay for the running mean of squared gradients. {HYPER} Typical: 0.9. Too low: "
        "step sizes swing with every batch. Too high: slow to adapt when gradients change."),
    "optimizer.eps": (
        f"A small number that keeps adaptive optimizers from dividing by zero. {HYPER} Typical: 1e-8. "
        "Too low: unstable updates in float32 (raise it to 1e-6..1e-4). Too high: the optimizer "
        "behaves like plain sgd with a tiny learning rate."),
    "optimizer.weight_decay": (
        f"Decoupled weight decay (adamw): shrinks weights a little every step. {HYPER} Typical: "
        "0-0.01. Too high: underfits."),
    # --- schedule -----------------------------------------------------------------------------
    "schedule.name": (
        f"How the learning rate changes over epochs. {HYPER} Typical: constant, the simplest; step "
        "halves it every few epochs; exponential decays it smoothly; cosine lowers it to a floor by "
        "the end. Decaying too fast: learning stops early; too slow: the loss keeps jittering."),
    "schedule.warmup_epochs": (
        f"Epochs over which the learning rate ramps up from small to its full value. {HYPER} "
        "Typical: 0-5. Too low: the loss may explode in the first epochs. Too high: wasted slow "
        "epochs at the start."),
    "schedule.step_size": (
        f"Step schedule: epochs between decays. {HYPER} Typical: 10-50. Too low: the rate shrinks "
        "before the network has learned much. Too high: it never decays within the run."),
    "schedule.gamma": (
        f"Step and exponential schedules: factor the learning rate is multiplied by. {HYPER} "
        "Typical: 0.5 (step), 0.95-0.99 (exponential). Too low: learning stops early."),
    "schedule.min_lr": (
        f"Cosine schedule: the lowest learning rate reached. {HYPER} Typical: 0-1e-4. Too high: the "
        "loss keeps jittering at the end. Too low: no harm, the last epochs barely move."),
    # --- training -----------------------------------------------------------------------------
    "training.batch_size": (
        f"Samples per update. {HYPER} Typical: 16-256. Too small: noisy loss and slow epochs. "
        "Too large: fewer updates per epoch, so slower convergence per epoch."),
    "training.epochs": (
        f"Passes over the training data. {HYPER} Typical: 50-500 here. Too few: the loss is still "
        "falling at the end. Too many: validation loss rises (overfitting) unless early stopping."),
    "training.loss": (
        f"What training minimises. {HYPER} Typical: automatic, i.e. cross_entropy for classification "
        "and mse for regression; mae and huber are less sensitive to outliers. A poor match (mse "
        "for classes): slow, flat learning; too sensitive (mse with outliers): a few rows dominate."),
    "training.class_weight": (
        f"How much each class's rows count in the loss. {HYPER} Typical: none (every row alike); "
        "balanced when one class is much rarer and its recall matters: a class then counts in "
        "inverse proportion to its training rows (the validation loss is weighted alike). Too "
        "strong for a class of a handful of rows: those rows dominate, training turns noisy and "
        "the common class loses accuracy. Classification only."),
    "training.l1": (
        f"L1 penalty on weights: pushes many weights to exactly zero. {HYPER} Typical: 0-1e-3. "
        "Too high: underfits. With L2 as well it is an elastic net."),
    "training.l2": (
        f"L2 penalty on weights: keeps weights small. {HYPER} Typical: 0-1e-3. Too high: underfits "
        "(both losses high). Too low: overfits on small data."),
    "training.clip_norm": (
        f"Largest allowed gradient norm; 0 turns clipping off. {HYPER} Typical: 1-5. Use it when the "
        "loss spikes or diverges; too low slows learning."),
    "training.early_stopping": (
        f"Stop when the validation loss has not improved for this many epochs; 0 turns it off. "
        f"{HYPER} Typical: 10-30. Too low: stops on a plateau before the real improvement."),
    "training.restore_best": (
        f"With early stopping, return to the weights of the best validation epoch. {HYPER} "
        "Typical: on. Off: you keep the last weights, which may have drifted too far (overfitting "
        "for the patience epochs)."),
    "training.dtype": (
        f"Arithmetic precision. {HYPER} Typical: float32, faster and enough for training; float64 "
        "for exact checks. Too low a precision shows as a loss that stalls at a noisy floor; too "
        "high costs about twice the time."),
    "training.threads": (
        f"BLAS threads for the matrix products. {HYPER} Typical: 1, fastest for small networks. "
        "Too many: slower and erratic on a busy machine; too few: large layers wait on one core."),
}


def tooltip(key: str) -> str:
    """The text for one control; every control the GUI shows has one (a test checks)."""
    return TOOLTIPS[key]
