"""CityMatch matching engine: Korean-aware TF-IDF retrieval and two-way recommendations.

Pure Python on scikit-learn; no web-framework or database imports. Public names are loaded
lazily so that ``python -m matching`` can validate its input before importing scikit-learn.
"""
from importlib import import_module

_EXPORTS = {
    "REASON_CODES": "explain", "Match": "explain",
    "DEFAULT_FIELDS": "index", "TextIndex": "index",
    "LARGE_SHARE_CAP": "partnerships", "Consortium": "partnerships",
    "PartnerSuggestion": "partnerships", "Partnerships": "partnerships",
    "Recommender": "recommend",
    "JointConfig": "joint", "NeedCluster": "joint", "SimilarNeed": "joint",
    "need_clusters": "joint", "similar_needs": "joint",
    "NeedDoc": "records", "Place": "records", "SolutionDoc": "records", "catalogue": "records",
    "DEFAULT_CONFIG": "scoring", "ScoringConfig": "scoring",
    "ANALYSER_VERSION": "text", "KoreanAnalyzer": "text", "analyser_version": "text", "analyse": "text", "analyse_many": "text",
    "join_tokens": "text", "normalize": "text", "split_tokens": "text",
}
__all__ = sorted(_EXPORTS)


def __getattr__(name: str):
    """Import public names on first access (PEP 562)."""
    if name in _EXPORTS:
        value = getattr(import_module(f"matching.{_EXPORTS[name]}"), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'matching' has no attribute {name!r}")


def __dir__():
    """Public names for tab completion."""
    return __all__
