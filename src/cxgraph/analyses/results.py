"""What every analysis result shares: findings, records, frames, text and HTML.

An analysis returns a frozen result holding a tuple of frozen findings,
sorted deterministically. The result is iterable over its findings, turns
into records (``to_records``, a list of dicts) or a pandas frame
(``to_frame``, pandas imported only then), and explains itself in plain
words (``lines``) for the text report, the CLI and ``__repr__``.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import TYPE_CHECKING, Any, ClassVar, Generic, TypeVar

import attrs
from attrs import frozen

from cxgraph.errors import bounded

if TYPE_CHECKING:
    import pandas as pd

from cxgraph._util.html import result_html
from cxgraph._util.results import record_of

__all__ = ["AnalysisResult"]

FindingT = TypeVar("FindingT")

#: How many findings ``__repr__`` and the HTML view show before "... and N more".
SHOW = 10


@frozen(kw_only=True)
class AnalysisResult(Generic[FindingT]):
    """Base of the analysis results: a sorted tuple of findings and how to show them.

    Subclasses are declared ``@frozen(kw_only=True, repr=False)`` (so the
    readable ``__repr__`` here is kept), set the class variables ``name`` (the
    analysis name) and ``title`` (a heading), add their own summary fields,
    and override :meth:`describe` (one finding in plain words) and
    :meth:`summary` (one sentence).
    """

    name: ClassVar[str] = "analysis"
    title: ClassVar[str] = "Analysis"

    findings: tuple[FindingT, ...]

    def __iter__(self) -> Iterator[FindingT]:
        return iter(self.findings)

    def __len__(self) -> int:
        return len(self.findings)

    def __getitem__(self, index: int) -> FindingT:
        return self.findings[index]

    def to_records(self) -> list[dict[str, Any]]:
        """The findings as a list of dicts, in order."""
        return [record_of(f) for f in self.findings]

    def to_frame(self) -> pd.DataFrame:
        """The findings as a pandas DataFrame (pandas is imported on first use)."""
        try:
            import pandas as pd
        except ImportError as exc:  # pragma: no cover - depends on the environment
            msg = "to_frame() needs pandas: pip install 'cxgraph[pandas]'"
            raise ImportError(msg) from exc
        records = self.to_records()
        columns = list(records[0]) if records else self.columns()
        return pd.DataFrame.from_records(records, columns=columns)

    def columns(self) -> list[str]:
        """The record keys, known even when there are no findings."""
        args = getattr(type(self), "__orig_bases__", ())
        for base in args:
            for arg in getattr(base, "__args__", ()):
                if attrs.has(arg):
                    return [f.name for f in attrs.fields(arg)]
        return []

    def summary(self) -> str:
        """One sentence: how many findings."""
        n = len(self.findings)
        return f"{n} finding{'s' if n != 1 else ''}"

    def describe(self, finding: FindingT) -> str:
        """One finding in plain words (override for something better than the record)."""
        rec = record_of(finding)
        return ", ".join(f"{k}={v!r}" for k, v in rec.items())

    def line_count(self) -> int:
        """How many lines :meth:`lines` gives in all (one per finding unless overridden)."""
        return len(self.findings)

    def lines(self, limit: int | None = None) -> list[str]:
        """The findings in plain words, one line each, at most ``limit``."""
        shown: Sequence[FindingT] = self.findings if limit is None else self.findings[:limit]
        out = [self.describe(f) for f in shown]
        if limit is not None and len(self.findings) > limit:
            out.append(f"... and {len(self.findings) - limit} more")
        return out

    def __repr__(self) -> str:
        head = bounded(f"<{type(self).__name__}: {self.summary()}>")
        body = [bounded(line) for line in self.lines(SHOW)]
        return "\n".join([head, *("  " + line for line in body)])

    def _repr_html_(self) -> str:
        # The findings in words (names, not only ids), then the records folded away.
        return result_html(self, SHOW)
