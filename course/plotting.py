"""The figures several notebooks draw: loss curves, decision regions, function plots.

Each function draws on an ``ax`` it is given (or a new one) and returns that ``ax``, so a
notebook can compose figures; none calls ``plt.show()`` -- Jupyter displays the figure.
"""

import matplotlib.pyplot as plt
import numpy as np

__all__ = ["new_axes", "plot_loss_curve", "plot_decision_regions", "plot_functions"]


def new_axes(ax=None, figsize=(5, 3.5)):
    """Return ``ax`` or a fresh one on a new figure."""
    if ax is None:
        _, ax = plt.subplots(figsize=figsize, layout="constrained")
    return ax


def plot_loss_curve(losses, ax=None, label=None, log=False):
    """Training loss against the epoch."""
    ax = new_axes(ax)
    ax.plot(np.arange(len(losses)), losses, label=label)
    ax.set_xlabel("epoch")
    ax.set_ylabel("loss")
    if log:
        ax.set_yscale("log")
    if label is not None:
        ax.legend()
    ax.grid(alpha=0.3)
    return ax


def plot_decision_regions(predict, X, y, ax=None, resolution=200, margin=0.5, title=None):
    """Colour the plane by ``predict(points)`` and scatter the labelled points on top.

    Args:
        predict: callable ``(M, 2) -> (M,)`` integer class labels.
        X: ``(N, 2)`` points; y: ``(N,)`` integer labels.
    """
    ax = new_axes(ax, figsize=(4.5, 4))
    X = np.asarray(X, dtype=np.float64)
    x0 = np.linspace(X[:, 0].min() - margin, X[:, 0].max() + margin, resolution)
    x1 = np.linspace(X[:, 1].min() - margin, X[:, 1].max() + margin, resolution)
    g0, g1 = np.meshgrid(x0, x1)
    labels = np.asarray(predict(np.stack([g0.ravel(), g1.ravel()], axis=1))).reshape(g0.shape)
    num_classes = int(max(labels.max(), np.max(y))) + 1
    cmap = plt.get_cmap("tab10", 10)
    levels = np.arange(num_classes + 1) - 0.5
    ax.contourf(g0, g1, labels, levels=levels, colors=[cmap(k) for k in range(num_classes)], alpha=0.25)
    ax.scatter(X[:, 0], X[:, 1], c=[cmap(k) for k in np.asarray(y)], s=12, edgecolors="k", linewidths=0.3)
    ax.set_xlabel("$x_0$")  # features are numbered from 0, like everything in the course
    ax.set_ylabel("$x_1$")
    if title:
        ax.set_title(title)
    return ax


def plot_functions(x, curves, ax=None, title=None, xlabel="$x$", ylabel=None):
    """Plot several curves over the same ``x``; ``curves`` maps a legend label to y-values."""
    ax = new_axes(ax)
    for label, values in curves.items():
        ax.plot(x, values, label=label)
    ax.axhline(0, color="k", linewidth=0.5)
    ax.axvline(0, color="k", linewidth=0.5)
    ax.set_xlabel(xlabel)
    if ylabel:
        ax.set_ylabel(ylabel)
    ax.legend()
    ax.grid(alpha=0.3)
    if title:
        ax.set_title(title)
    return ax
