"""Charts as PNG (matplotlib, headless) with a CJK font, so body names show in the figure."""

from __future__ import annotations

import io
from collections.abc import Sequence

from xxgk.documents.fonts import FONTS


def bar_chart(labels: Sequence[str], values: Sequence[float], title: str, unit: str = "") -> bytes:
    """Horizontal bars, one per label, top to bottom in the given order, each with its figure."""
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib import font_manager
    from matplotlib import pyplot as plt

    known = {f.name for f in font_manager.fontManager.ttflist}
    cjk = [name for role in ("heading", "body") for name in FONTS[role] if name in known]
    with matplotlib.rc_context({"font.sans-serif": [*cjk, "DejaVu Sans"], "font.family": "sans-serif"}):
        figure, axes = plt.subplots(figsize=(8, 0.4 * len(labels) + 1.2), dpi=120)
        try:
            bars = axes.barh(range(len(labels)), values, color="#a61b29")
            axes.set_yticks(range(len(labels)), labels)
            axes.invert_yaxis()
            axes.bar_label(bars, labels=[f"{v:,.0f}{unit}" for v in values], padding=3, fontsize=9)
            axes.set_title(title)
            axes.spines[["top", "right"]].set_visible(False)
            figure.tight_layout()
            out = io.BytesIO()
            figure.savefig(out, format="png")
        finally:
            plt.close(figure)
    return out.getvalue()
