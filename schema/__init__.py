"""The domain model: node and relationship kinds, validated records, regimes, errors.

``schema`` imports nothing else of groupgraph; every other package builds on it. Callers
import from its modules (``schema.records``, ``schema.model``, ...).
"""
