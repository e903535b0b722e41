"""Interactive network views, exported as self-contained HTML that works offline.

``viz`` turns plain data from ``graph`` and ``schema`` into pyvis networks with one visual
language (:mod:`viz.style`) and writes them as single HTML files with vis-network inline
(:mod:`viz.offline`). The four views are in :mod:`viz.views`.
"""
