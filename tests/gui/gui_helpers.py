"""Small steps the GUI tests share: edit the config as a panel does, train and wait."""


def edit(window, changes, text="test edit"):
    """Apply a config edit the way the panels do."""
    window._on_config_edited(changes, text, "")


def train_to_end(qtbot, window, epochs=None, timeout=30_000):
    """Press Train and wait for the run to end; returns the final report."""
    with qtbot.waitSignal(window.runner.run_finished, timeout=timeout) as blocker:
        window.train_action.trigger() if epochs is None else window._begin_run(epochs)
    return blocker.args[0]


def curve(plot, which="train"):
    """The values a history plot draws for its training or validation curve (after redrawing)."""
    plot.flush()
    _, values = getattr(plot, f"{which}_curve").getData()
    return [] if values is None else [float(v) for v in values]
