"""citycoop: who met whom, when, and about what — Vietnam–China local cooperation in Vietnamese news.

Flow: load → clean → extract → dataset → charts → report.
"""
__version__ = "0.1.0"
