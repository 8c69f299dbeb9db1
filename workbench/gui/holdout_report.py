"""The test split's verdict (core/holdout.py) as a message a person reads once, at the end: the
figures, the confusion matrix for classification, and why the test split is looked at only then."""
from __future__ import annotations

from html import escape
from typing import Sequence

import numpy as np

from workbench.core.holdout import HoldoutScore
from workbench.core.metrics import METRIC_LABELS, class_scores

ADVICE = ("The test rows took no part in training, early stopping or any choice so far. Look at "
          "them once, when the model is chosen: choosing hyperparameters by this score would make "
          "the test split a second validation split, and the score an optimistic guess.")


def holdout_html(score: HoldoutScore, class_names: Sequence[str]) -> str:
    """The figures, then (classification) the confusion matrix with the classes named."""
    weights = f"the weights of epoch {score.epoch}" if score.epoch else "the untrained network"
    parts = [f"<p><b>Test split</b>: {score.samples:,} samples, {weights}.</p>",
             f"<p>loss <b>{score.loss:.4g}</b>, {METRIC_LABELS[score.metric_name]} "
             f"<b>{score.metric:.4f}</b></p>"]
    if score.confusion is not None:
        parts.append(_confusion_table(score.confusion, class_names))
    parts.append(f"<p><small>{ADVICE}</small></p>")
    return "".join(parts)


def _confusion_table(confusion: np.ndarray, class_names: Sequence[str]) -> str:
    """Counts, each row's recall at its end and each column's precision below it."""
    scores = class_scores(confusion)
    head = "".join(f"<th>&nbsp;{escape(name)}&nbsp;</th>" for name in class_names)
    rows = []
    for actual, counts, recall in zip(class_names, confusion, scores["recall"]):
        cells = "".join(f"<td align='right'>{int(n)}&nbsp;</td>" for n in counts)
        rows.append(f"<tr><th align='left'>{escape(actual)}&nbsp;</th>{cells}"
                    f"<td align='right'><i>{_share(recall)}</i></td></tr>")
    precision = "".join(f"<td align='right'><i>{_share(p)}</i>&nbsp;</td>" for p in scores["precision"])
    rows.append(f"<tr><th align='left'><i>precision</i></th>{precision}<td></td></tr>")
    header = f"<tr><th></th>{head}<th>&nbsp;<i>recall</i></th></tr>"
    return f"<p>rows: actual class, columns: predicted</p><table cellspacing='2'>{header}{''.join(rows)}</table>"


def _share(value: float) -> str:
    return "n/a" if not np.isfinite(value) else f"{value:.3f}"
