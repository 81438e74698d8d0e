"""The diagonal of the fundamental matrix ``N = (I - Q)^-1``, one loop at a time.

``N[c, c]`` is all that the per-step removal effects need beyond the two
global solves (``hit(c) = visits(c) / N[c, c]``), and a return to ``c``
never leaves ``c``'s strongly connected component, so each loop's diagonal
comes from that loop's block ``A = I - Qk`` alone. Four ways, chosen by cost:

* loops up to ``_BATCH`` steps: inverted together, batched by size, in one
  numpy call each (a discovered journey can hold thousands of small loops);
* a loop that is narrow once its steps are put in reverse Cuthill-McKee
  order (bandwidth ``b``, the usual shape of rework: back a few steps):
  a band LU and *selected inversion*, ``O(m b^2)``, never forming ``N``;
* a loop whose sparse LU stays very sparse (hubs: "start over" edges from
  everywhere to one step): the identity's columns solved through the
  factors, a few at a time;
* otherwise (cross-links everywhere, the factors fill in) a dense LU and the
  inverses of its two triangles, ``diag(N) = diag(U^-1 L^-1 P^T)``: ``4/3 m^3``
  flops against ``2 m^3`` and more for a dense ``inv``.

The band and the dense way factorise ``A^T``, which has the same inverse diagonal.
``A`` is a nonsingular M-matrix whose rows are diagonally dominant (``Q``'s
rows sum to at most 1), so ``A^T`` is dominant by columns: partial pivoting
keeps the diagonal (LAPACK takes the first of equal candidates), the
factors ``A^T = L D U`` have no positive off-diagonal entry, and every entry
of ``N`` is a sum of non-negative terms. Selected inversion then adds only
non-negative numbers, which keeps each diagonal entry accurate to a few
units in the last place.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from cxgraph.errors import CxgraphError

if TYPE_CHECKING:
    import numpy as np
    import numpy.typing as npt

    FloatArray = npt.NDArray[np.float64]
    IntArray = npt.NDArray[np.intp]

# Loops up to this size are inverted together, batched by size.
_BATCH = 64
# Loops up to this size go straight to the dense way: it takes milliseconds.
_SMALL = 200
# The band way costs about m (b^2 + _STEP) dense flops (two matrix-vector
# products per step at BLAS-2 speed, and Python's per-step overhead); the
# dense way 4/3 m^3 at BLAS-3 speed, about _SPEED times faster per flop.
_STEP = 4_000
_SPEED = 12.0
# The sparse factors are solved against the identity, _BLOCK columns at a
# time (SuperLU slows down sharply with many right-hand sides at once), only
# while they fill at most this share of a dense matrix: the solves run at a
# small fraction of BLAS-3 speed.
_BLOCK = 16
_FILL = 0.005
# Rows of the dense triangles multiplied together at a time (bounds memory).
_CHUNK = 256


def _inverse_diagonal(
    Q: Any, labels: IntArray, n_comp: int, limit: int, lu: Any = None
) -> tuple[FloatArray, npt.NDArray[np.bool_]]:
    """``diag((I - Q)^-1)``, one strongly connected component at a time.

    Returns the diagonal (NaN where left out) and which steps were left out:
    those of a component over ``limit`` steps. ``lu``, the sparse LU of the
    whole ``I - Q`` when there is one, is reused when a single component
    covers every step.
    """
    import numpy as np

    n = Q.shape[0]
    diag = np.ones(n)
    left = np.zeros(n, dtype=bool)
    if n == 0:
        return diag, left
    sizes = np.bincount(labels, minlength=n_comp)
    size_of = sizes[labels]
    single = size_of == 1
    qd = Q.diagonal()
    diag[single] = 1.0 / (1.0 - qd[single])

    order = np.argsort(labels, kind="stable")
    starts = np.concatenate([[0], np.cumsum(sizes)[:-1]])
    local = np.empty(n, dtype=np.intp)
    local[order] = np.arange(n) - starts[labels[order]]
    coo = Q.tocoo()
    inside = labels[coo.row] == labels[coo.col]
    er, ec, ev = coo.row[inside], coo.col[inside], coo.data[inside]

    for s in np.unique(sizes[(sizes > 1) & (sizes <= min(_BATCH, limit))]):
        comps = np.flatnonzero(sizes == s)
        slot = np.full(n_comp, -1, dtype=np.intp)
        slot[comps] = np.arange(comps.size)
        block = np.zeros((comps.size, s, s))
        sel = sizes[labels[er]] == s
        block[slot[labels[er[sel]]], local[er[sel]], local[ec[sel]]] = ev[sel]
        inv = np.linalg.inv(np.eye(s) - block)
        nodes = np.flatnonzero(size_of == s)
        diag[nodes] = inv[slot[labels[nodes]], local[nodes], local[nodes]]

    for c in np.flatnonzero(sizes > _BATCH):
        nodes = order[starts[c] : starts[c] + sizes[c]]
        if sizes[c] > limit:
            left[nodes] = True
            diag[nodes] = np.nan
            continue
        whole = lu if sizes[c] == n else None
        diag[nodes] = _component_diagonal(Q[nodes][:, nodes], whole)
    if limit < _BATCH:
        over = (size_of > limit) & (size_of > 1)
        left[over] = True
        diag[over] = np.nan
    return diag, left


def _component_diagonal(Qk: Any, lu: Any = None) -> FloatArray:
    """The diagonal of ``(I - Qk)^-1`` for one component's block, the cheapest way."""
    import numpy as np
    from scipy import sparse
    from scipy.sparse import csgraph

    m = Qk.shape[0]
    At = sparse.csr_matrix((sparse.identity(m, format="csr") - Qk).T)
    if m > _SMALL:
        perm = np.asarray(csgraph.reverse_cuthill_mckee(At, symmetric_mode=False), dtype=np.intp)
        iperm = np.empty(m, dtype=np.intp)
        iperm[perm] = np.arange(m, dtype=np.intp)
        coo = At.tocoo()
        rows, cols = iperm[coo.row], iperm[coo.col]
        b = max(int(np.max(np.abs(rows - cols))), 1)
        if _SPEED * m * (b * b + _STEP) < 4 / 3 * m**3:
            banded = _band_diagonal(rows, cols, coo.data, m)
            if banded is not None:
                out = np.empty(m)
                out[perm] = banded
                return out
        sparse_diag = _sparse_diagonal(At, lu)
        if sparse_diag is not None:
            return sparse_diag
    return _dense_diagonal(At.toarray(order="F"))


def _band_diagonal(rows: IntArray, cols: IntArray, values: FloatArray, m: int) -> FloatArray | None:
    """``diag(B^-1)`` by band LU and selected inversion; None if the LU pivoted.

    ``B`` (given by its entries) is banded and dominant by columns. With
    ``B = L D U`` (``L`` unit lower, ``U`` unit upper), ``Z = B^-1`` solves
    ``U Z = D^-1 L^-1`` and ``Z L = U^-1 D^-1``, whose right-hand sides are
    triangular. Going from the last row up, for every ``j > k`` and ``i > k``::

        Z[k, j] = -sum_l U[k, l] Z[l, j]        Z[i, k] = -sum_l Z[i, l] L[l, k]
        Z[k, k] = 1 / d[k] - sum_l U[k, l] Z[l, k]

    with ``l`` running over ``U``'s row ``k`` (``L``'s column ``k``): at most
    the ``b`` steps after ``k``. So only ``Z`` inside the band is ever
    needed, and a ``b x b`` window of it below and right of ``k`` gives row
    and column ``k``: ``O(m b^2)`` in all. ``Z`` is kept in band storage
    (``Z[i, j]`` at ``zb[i, j - i + b]``), whose windows are strided views.
    """
    import numpy as np
    from numpy.lib.stride_tricks import as_strided
    from scipy.linalg import lapack

    kl = max(int(np.max(rows - cols)), 0)
    ku = max(int(np.max(cols - rows)), 0)
    ab = np.zeros((2 * kl + ku + 1, m), order="F")
    ab[kl + ku + rows - cols, cols] = values
    lu, ipiv, info = lapack.dgbtrf(ab, kl, ku, overwrite_ab=1)
    if info != 0 or np.any(ipiv != np.arange(ipiv.size)):
        return None
    d = lu[kl + ku]
    if not np.all(np.isfinite(d) & (d > 0)):
        return None
    b = max(kl, ku, 1)
    # u[k, t] = -U[k, k+1+t], l[k, t] = -L[k+1+t, k]: non-negative, 0 past the end.
    u = np.zeros((m, b))
    low = np.zeros((m, b))
    k = np.arange(m)
    for t in range(1, ku + 1):
        ok = k + t < m
        u[ok, t - 1] = -lu[kl + ku - t, k[ok] + t] / d[ok]
    for t in range(1, kl + 1):
        ok = k + t < m
        low[ok, t - 1] = -lu[kl + ku + t, k[ok]]

    w = 2 * b + 1
    zb = np.zeros((m + b + 1, w))
    flat = zb.reshape(-1)
    item = flat.itemsize
    # windows[k][r, c] = Z[k + r, k + c]; colz[k][r] = Z[k + 1 + r, k]; rowz[k][c] = Z[k, k+1+c].
    windows = as_strided(flat[b:], shape=(m + 1, b, b), strides=(w * item, 2 * b * item, item))
    colz = as_strided(flat[3 * b :], shape=(m, b), strides=(w * item, 2 * b * item))
    rowz = zb[:m, b + 1 :]
    diag = zb[:m, b]
    inv_d = 1.0 / d
    for k0 in range(m - 1, -1, -1):
        window = windows[k0 + 1]
        uk = u[k0]
        rowz[k0] = uk @ window
        zc = window @ low[k0]
        colz[k0] = zc
        diag[k0] = inv_d[k0] + uk @ zc
    return np.array(diag, dtype=np.float64)


def _sparse_diagonal(At: Any, lu: Any = None) -> FloatArray | None:
    """``diag(At^-1)`` through sparse LU; None when the factors fill in too much."""
    import numpy as np
    from scipy import sparse
    from scipy.sparse.linalg import splu

    m = At.shape[0]
    if lu is None:
        lu = splu(sparse.csc_matrix(At))
    # (A given factorised as I - Q rather than its transpose has the same diagonal.)
    # Solving for identity columns costs about m * nnz(L + U) at a small
    # fraction of BLAS-3 speed: beyond a little fill the dense way wins.
    if lu.nnz > m * m * _FILL:
        return None
    out = np.empty(m)
    for lo in range(0, m, _BLOCK):
        hi = min(m, lo + _BLOCK)
        cols = np.arange(hi - lo)
        rhs = np.zeros((m, hi - lo), order="F")
        rhs[lo + cols, cols] = 1.0
        out[lo:hi] = lu.solve(rhs)[lo + cols, cols]
    return out


def _dense_diagonal(a: FloatArray) -> FloatArray:
    """``diag(a^-1)`` from a dense LU and the inverses of its triangles.

    ``a[perm] = L U``, so ``a^-1 = U^-1 L^-1 P^T`` and
    ``a^-1[i, i] = sum_k U^-1[i, k] L^-1[k, s(i)]`` with ``s`` the inverse of
    ``perm``: both triangles inverted in place, then ``O(m^2)`` products.
    """
    import numpy as np
    from scipy.linalg import lapack

    m = a.shape[0]
    lu, piv, info = lapack.dgetrf(a, overwrite_a=1)
    if info != 0:  # the whole chain factorised, so only round-off gets here
        msg = (
            "the Markov chain cannot be solved: a loop's only way out has a probability "
            "too small to compute with; give that way out a larger probability"
        )
        raise CxgraphError(msg)
    lu, _ = lapack.dtrtri(lu, lower=0, unitdiag=0, overwrite_c=1)
    lu, _ = lapack.dtrtri(lu, lower=1, unitdiag=1, overwrite_c=1)
    perm = np.arange(m)
    for i, p in enumerate(piv.tolist()):
        perm[i], perm[p] = perm[p], perm[i]
    s = np.empty(m, dtype=np.intp)
    s[perm] = np.arange(m)
    out = np.empty(m)
    k = np.arange(m)[:, None]
    for lo in range(0, m, _CHUNK):
        hi = min(m, lo + _CHUNK)
        upper = np.triu(lu[lo:hi], lo)  # U^-1's rows lo..hi
        sc = s[lo:hi]
        lower = np.where(k > sc, lu[:, sc], (k == sc).astype(np.float64))  # L^-1's columns
        out[lo:hi] = np.einsum("ik,ki->i", upper, lower)
    return out
