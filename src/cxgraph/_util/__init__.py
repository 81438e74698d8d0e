"""Layer 0: small helpers every layer may use.

``cache`` (the cache ``analyze`` shares between analyses), ``html`` (escaping,
inline-styled tables, views that never raise), ``escape`` (CSV cells safe
from formula injection, Markdown text that renders literally), ``results``
(records and findings of any result), ``text`` (describing values, listing
choices, slugs and unique ids), ``numbers`` (shares of counts) and
``dominators`` (dominator trees and loops of graphs on integer lists).
Nothing here imports another part of cxgraph.
"""
