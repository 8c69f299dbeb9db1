"""The training loop: a generator of per-epoch reports that the CLI, the GUI and tuning all consume.

`Trainer(experiment).run()` trains in mini-batches, shuffling indices (not data) each epoch into a
persistent buffer, evaluates after every epoch, records history and replay snapshots, and stops on
request (a `threading.Event` polled between batches), on early stopping, or at once when the loss
or a weight stops being finite, keeping the last finite weights.
"""
from __future__ import annotations

import math
import threading
import time
from dataclasses import replace
from typing import Iterator

import numpy as np
from threadpoolctl import threadpool_limits

from workbench.core.experiment import Experiment
from workbench.core.history import EpochReport
from workbench.core.losses import loss_value
from workbench.core.metrics import roc_auc, roc_curve, score
from workbench.core.regularization import clip_grad_norm, penalty
from workbench.core.schedules import learning_rate

__all__ = ["EpochReport", "Trainer", "DIVERGED_ADVICE"]

# Training-set figures after each epoch are measured on at most this many training samples.
TRAIN_EVAL_SAMPLES = 2000
DIVERGED_ADVICE = ("training diverged (the loss or a weight became infinite or NaN); lower the "
                   "learning rate, add gradient clipping, or standardise the inputs")


class Trainer:
    """Runs epochs on an `Experiment`, updating it in place (weights, optimizer, rng, history)."""

    def __init__(self, experiment: Experiment):
        self.experiment = experiment

    def set_learning_rate(self, lr: float) -> None:
        """Change the base learning rate; a running loop applies it from the next epoch."""
        exp = self.experiment
        exp.config = exp.config.updated({"optimizer.lr": float(lr)})

    def run(self, epochs: int | None = None, stop: threading.Event | None = None) -> Iterator[EpochReport]:
        """Train `epochs` more epochs (default: up to `training.epochs` in total), one report each.

        Asking for more epochs than the config holds extends `training.epochs` (that is resuming).
        The last report carries the final status; nothing is yielded when there is nothing to do.
        """
        exp = self.experiment
        start = exp.epochs_trained
        target = exp.config.training.epochs if epochs is None else start + int(epochs)
        if target > exp.config.training.epochs:
            exp.config = exp.config.updated({"training.epochs": target})
        if target <= start:
            return
        # overflow is expected when a run diverges, and is handled as such: no warnings for it
        with threadpool_limits(limits=exp.config.training.threads, user_api="blas"), \
                np.errstate(over="ignore", invalid="ignore"):
            yield from self._epochs(start, target, stop or threading.Event())

    # --- the loop ---------------------------------------------------------------------------------
    def _epochs(self, start: int, target: int, stop: threading.Event) -> Iterator[EpochReport]:
        exp = self.experiment
        data, net = exp.data, exp.network
        X, y = data.X_train, data.y_train
        n = X.shape[0]
        batch_size = min(exp.config.training.batch_size, n)
        order = np.empty(n, dtype=np.intp)
        y_shuffled = np.empty_like(y)
        # (indices, inputs, targets) of every batch, as views made once: `order` and `y_shuffled`
        # are refilled in place each epoch, so with tiny networks the loop spends its time in
        # NumPy, not slicing. Targets are shuffled once an epoch; inputs are gathered batch by
        # batch, straight into the network's own input array (no copy per step).
        batches_plan = [(order[s:s + batch_size], net.batch_inputs(min(batch_size, n - s)),
                         y_shuffled[s:s + batch_size]) for s in range(0, n, batch_size)]
        # bound methods: `np.take` would add a dispatch that costs more than a tiny batch's copy.
        # The takes pass mode "clip": `order` is a permutation, so no index is out of range, and
        # the default mode ("raise") gathers into a temporary and copies it to `out` (half again
        # the time of a W3 or W4 batch, twice that of a tiny one).
        take_X, isfinite, step_grads = X.take, math.isfinite, net.train_step_grads
        eval_idx = _train_eval_indices(n)
        patience = exp.config.training.early_stopping
        best_epoch = exp.history.best_epoch()
        best_weights = _best_weights(exp, best_epoch)

        for epoch in range(start + 1, target + 1):
            cfg = exp.config  # read each epoch: the learning rate may change mid-run
            t = cfg.training
            lr = learning_rate(cfg.schedule, cfg.optimizer.lr, epoch - 1, t.epochs)
            loss_name = cfg.loss_for(exp.task)
            began = time.perf_counter()
            # the state at the start of the epoch: a divergence or a stop mid-epoch returns to it, so
            # neither NaN nor a half-done epoch reaches memory, files or a later resume
            last_finite = net.flat_params.copy()
            optimizer_checkpoint = exp.optimizer.checkpoint()
            rng_state = exp.rng.bit_generator.state
            order[:] = exp.rng.permutation(n)
            y.take(order, 0, y_shuffled, "clip")
            total, batches, status = 0.0, 0, "running"
            l1, l2, clip_norm, rng, optimizer_step = t.l1, t.l2, t.clip_norm, exp.rng, exp.optimizer.step
            weights = exp.class_weights()
            for idx, xb, ybv in batches_plan:
                if stop.is_set():
                    status = "stopped"
                    break
                take_X(idx, 0, xb, "clip")           # axis 0, into the batch's input array
                batch_loss = step_grads(xb, ybv, loss_name, l1, l2, rng, weights)
                if not isfinite(batch_loss):
                    status = "diverged"
                    break
                if clip_norm:
                    clip_grad_norm(net.flat_grads, clip_norm)
                optimizer_step(lr)
                total += batch_loss
                batches += 1
            if status == "running" and not np.isfinite(net.flat_params).all():
                status = "diverged"
            if status in ("diverged", "stopped"):
                # the partial epoch is not recorded: back to the end of the last whole epoch
                self._rollback(last_finite, optimizer_checkpoint, rng_state)
                message = DIVERGED_ADVICE if status == "diverged" else "stopped on request"
                yield self._final(epoch - 1, target, status, best_epoch, message)
                return
            seconds = time.perf_counter() - began
            train_metric = self._metric(X[eval_idx], y[eval_idx])
            val_loss, val_metric = self._evaluate(data.X_val, data.y_val, loss_name)
            if not (math.isfinite(total) and (math.isnan(val_loss) or math.isfinite(val_loss))):
                self._rollback(last_finite, optimizer_checkpoint, rng_state)
                yield self._final(epoch - 1, target, "diverged", best_epoch, DIVERGED_ADVICE)
                return
            report = EpochReport(
                epoch=epoch, total_epochs=target, train_loss=total / max(batches, 1),
                val_loss=val_loss, train_metric=train_metric, val_metric=val_metric, lr=lr,
                seconds=seconds, samples_per_second=n / seconds if seconds > 0 else float("inf"))
            exp.history.append(report)
            exp.trained_config = cfg
            exp.snapshots.record(epoch, net)
            best_epoch = exp.history.best_epoch()
            if best_epoch == epoch and patience and t.restore_best:
                best_weights = net.get_weights()
            status, message = "running", ""
            if patience and best_epoch is not None and epoch - best_epoch >= patience:
                status = "early_stopped"
                message = f"validation loss has not improved for {patience} epochs (best: epoch {best_epoch})"
                if t.restore_best and best_weights is not None:
                    net.set_weights(best_weights)
                    message += "; weights restored to the best epoch"
            elif epoch == target:
                status, message = "completed", f"trained {epoch} epochs"
            exp.status = status
            yield replace(report, status=status, best_epoch=best_epoch, message=message)
            if status != "running":
                return

    def _rollback(self, params: np.ndarray, optimizer_checkpoint: tuple, rng_state: dict) -> None:
        exp = self.experiment
        exp.network.flat_params[...] = params
        exp.optimizer.rollback(optimizer_checkpoint)
        exp.rng.bit_generator.state = rng_state

    def _final(self, epoch: int, target: int, status: str, best_epoch: int | None,
               message: str) -> EpochReport:
        """The closing report of a run that ended early: repeats the last recorded figures."""
        exp = self.experiment
        exp.status = status
        h = exp.history
        last = (lambda col: getattr(h, col)[-1] if len(h) else float("nan"))
        return EpochReport(epoch=epoch, total_epochs=target, train_loss=last("train_loss"),
                           val_loss=last("val_loss"), train_metric=last("train_metric"),
                           val_metric=last("val_metric"), lr=last("lr"), seconds=0.0,
                           samples_per_second=0.0, status=status, best_epoch=best_epoch,
                           message=message)

    # --- evaluation -------------------------------------------------------------------------------
    def _metric(self, X: np.ndarray, y: np.ndarray) -> float:
        if X.shape[0] == 0:
            return float("nan")
        return score(self.experiment.task, y, self.experiment.network.predict(X))

    def _evaluate(self, X: np.ndarray, y: np.ndarray, loss_name: str) -> tuple[float, float]:
        """Loss (with the class weights and the regularisation penalty, as in training) and
        metric; nan without samples."""
        if X.shape[0] == 0:
            return float("nan"), float("nan")
        exp = self.experiment
        out = exp.network.predict(X)
        t = exp.config.training
        value = loss_value(loss_name, out, y, exp.class_weights()) + penalty(exp.network, t.l1, t.l2)
        return float(value), score(exp.task, y, out)


def evaluate_split(experiment: Experiment, split: str) -> tuple[float, float]:
    """Loss and metric of the current weights on 'train', 'val' or 'test'."""
    data = experiment.data
    X, y = getattr(data, f"X_{split}"), getattr(data, f"y_{split}")
    return Trainer(experiment)._evaluate(X, y, experiment.config.loss_for(experiment.task))


def split_auc(experiment: Experiment, split: str) -> float | None:
    """Two classes: the area under the ROC curve of the current weights on 'train', 'val' or
    'test' (None for other tasks, or when the split lacks a class)."""
    data = experiment.data
    X, y = getattr(data, f"X_{split}"), getattr(data, f"y_{split}")
    if experiment.task != "classification" or len(data.dataset.class_names) != 2 or not X.shape[0]:
        return None
    fpr, tpr = roc_curve(y, experiment.network.predict(X)[:, 1])
    return roc_auc(fpr, tpr) if fpr.size else None


def _train_eval_indices(n: int) -> np.ndarray | slice:
    """A fixed, evenly spread subset of training rows for the after-epoch training metric."""
    if n <= TRAIN_EVAL_SAMPLES:
        return slice(None)
    return np.linspace(0, n - 1, TRAIN_EVAL_SAMPLES).astype(np.intp)


def _best_weights(exp: Experiment, best_epoch: int | None) -> dict[str, np.ndarray] | None:
    """On resume, the best epoch's weights come from its snapshot when one was kept."""
    if best_epoch is None or best_epoch not in exp.snapshots:
        return None
    return exp.snapshots[best_epoch]


