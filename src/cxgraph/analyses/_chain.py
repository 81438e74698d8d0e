"""The solved absorbing chain: its sparse LU factorisation, kept for later questions
(conversion from each step, reach and removal of a set of steps).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from cxgraph._util.text import choices_text
from cxgraph.errors import CxgraphError

if TYPE_CHECKING:
    import numpy as np
    import numpy.typing as npt

    from cxgraph.analyses.markov_model import RemovalEffects

    FloatArray = npt.NDArray[np.float64]
    IntArray = npt.NDArray[np.intp]


# A set of at most this many steps is taken out by a low-rank (Woodbury) update
# of the factorisation already made; a larger one is factorised afresh.
_LOW_RANK = 32


# -- the solved chain --------------------------------------------------------------


class _Chain:
    """The factorised chain behind a model, kept so that later questions are cheap.

    Indices: every step has a global index (journey order); reachable
    touchpoints and decisions are the transient states (``transient`` holds
    their global indices, ``pos`` maps back, -1 elsewhere); outcomes have
    their own index (``opos``).
    """

    def __init__(
        self,
        *,
        index: dict[str, int],
        pos: IntArray,
        opos: IntArray,
        Q: Any,
        R: Any,
        success: npt.NDArray[np.bool_],
        alpha_t: FloatArray,
        alpha_o: FloatArray,
        v: FloatArray,
        outcome_kind: dict[str, str],
        groups: dict[str, dict[str, tuple[int, ...]]],
        group_names: dict[str, dict[str, str]],
        has_entries: bool,
    ) -> None:
        self.index = index
        self.pos = pos
        self.opos = opos
        self.Q = Q
        self.R = R
        self.success = success
        self.alpha_t = alpha_t
        self.alpha_o = alpha_o
        self.v = v
        self.outcome_kind = outcome_kind
        self.groups = groups
        self.group_names = group_names
        self.has_entries = has_entries
        self.without_step: dict[str, float] = {}
        self.effects: dict[str, RemovalEffects] = {}
        self._lu: Any = None
        self._conversion: FloatArray | None = None

    # The SuperLU object does not pickle; a model that travelled factorises again.
    def __getstate__(self) -> dict[str, Any]:
        state = dict(self.__dict__)
        state["_lu"] = None
        return state

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__dict__.update(state)

    def lu(self) -> Any:
        if self._lu is None:
            self._lu = _factorise(self.Q)
        return self._lu

    def conversion(self) -> FloatArray:
        """P(ending in a success outcome | at each transient state): one solve, kept."""
        import numpy as np

        if self._conversion is None:
            r = np.asarray(self.R @ self.success.astype(np.float64), dtype=np.float64).ravel()
            x = np.asarray(self.lu().solve(r), dtype=np.float64)
            self._conversion = np.clip(x, 0.0, 1.0)
        return self._conversion

    def members(self, steps: list[str], caller: str = "reach_probability") -> tuple[int, ...]:
        out: list[int] = []
        for s in steps:
            if not isinstance(s, str) or s not in self.index:
                known = choices_text(str(s), sorted(self.index))
                msg = f"{caller}(): unknown step {s!r} {known}"
                raise CxgraphError(msg)
            out.append(self.index[s])
        return tuple(sorted(set(out)))

    def first_hits(self, members: tuple[int, ...]) -> tuple[FloatArray, FloatArray]:
        """Visits and outcome shares when the journey stops at the first of ``members``."""
        import numpy as np

        gidx = np.asarray(members, dtype=np.intp)
        st = self.pos[gidx]
        st = st[st >= 0]
        n = self.Q.shape[0]
        if st.size == 0:
            v2 = self.v
        elif st.size <= _LOW_RANK:
            # Woodbury: (I - Q') differs from (I - Q) in the rows of the set only.
            U = self.Q[st, :].T.toarray()
            Y = self.lu().solve(U, trans="T")
            small = np.eye(st.size) + Y[st, :]
            v2 = self.v - Y @ np.linalg.solve(small, self.v[st])
        else:
            keep = np.ones(n)
            keep[st] = 0.0
            from scipy import sparse

            Q2 = sparse.diags(keep) @ self.Q
            v2 = _factorise(Q2).solve(self.alpha_t, trans="T")
        # The set stops the journey: its own rows lead nowhere, outcomes included.
        cut = np.array(v2, dtype=np.float64)
        cut[st] = 0.0
        b2 = np.asarray(self.R.T @ cut, dtype=np.float64) + self.alpha_o
        return np.asarray(v2, dtype=np.float64), b2

    def reach(self, members: tuple[int, ...]) -> float:
        if not members:
            return 0.0
        v2, b2 = self.first_hits(members)
        total = 0.0
        for g in members:
            if self.pos[g] >= 0:
                total += float(v2[self.pos[g]])
            elif self.opos[g] >= 0:
                total += float(b2[self.opos[g]])
        return _clip(total)

    def conversion_without(self, members: tuple[int, ...]) -> float:
        import numpy as np

        _, b2 = self.first_hits(members)
        keep = self.success.copy()
        for g in members:
            if self.opos[g] >= 0:
                keep[self.opos[g]] = False
        return float(np.sum(b2[keep]))


def _factorise(Q: Any) -> Any:
    import numpy as np
    from scipy import sparse
    from scipy.sparse.linalg import splu

    n = Q.shape[0]
    # The structure has a way out of every loop (checked before), but its
    # probability can be too small for a float: 1 - 1e-308 is 1, and I - Q is
    # singular. SuperLU says so, or (with an explicit zero stored) leaves a
    # zero on U's diagonal.
    msg = (
        "the Markov chain cannot be solved: a loop's only way out has a probability "
        "too small to compute with (next to the loop's, it rounds to 0); give that "
        "way out a larger probability"
    )
    try:
        lu = splu(sparse.csc_matrix(sparse.identity(n, format="csc") - Q))
    except RuntimeError as exc:  # "Factor is exactly singular"
        raise CxgraphError(msg) from exc
    diagonal = lu.U.diagonal()
    if diagonal.size and not np.all(np.isfinite(diagonal) & (diagonal != 0)):
        raise CxgraphError(msg)
    return lu


def _clip(x: float) -> float:
    # Round-off can put an exact 0 or 1 a hair outside [0, 1].
    return 0.0 if x < 0.0 else 1.0 if x > 1.0 else x
