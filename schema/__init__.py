"""The domain model: node and relationship kinds, validated records, regimes, errors.

``schema`` imports nothing else of groupgraph; every other package builds on it.
"""

from schema.errors import (
    AnalysisError,
    GroupGraphError,
    InvalidDataset,
    InvalidModel,
    Problem,
    StoreEmpty,
    StoreError,
    StoreUnavailable,
)
from schema.model import Model, load_model
from schema.records import Bank, Dataset, DeclaredMember, Entity, Facility, Relationship
from schema.regime import Regime, load_regime

__all__ = [
    "AnalysisError",
    "Bank",
    "Dataset",
    "DeclaredMember",
    "Entity",
    "Facility",
    "GroupGraphError",
    "InvalidDataset",
    "InvalidModel",
    "Model",
    "Problem",
    "Regime",
    "Relationship",
    "StoreEmpty",
    "StoreError",
    "StoreUnavailable",
    "load_model",
    "load_regime",
]
