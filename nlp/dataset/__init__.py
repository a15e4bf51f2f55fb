"""`nlp enrich-dataset`: abstract columns for every row of a dataset, resumable, on one machine or Ray.

sources.py reads rows, rows.py turns a batch into abstract columns (both engines share it),
parts.py keeps the output folder, local.py and ray_engine.py are the engines, job.py runs one job.
"""
from .job import Outcome, enrich_dataset

__all__ = ["Outcome", "enrich_dataset"]
