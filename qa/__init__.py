"""Newsdesk question answering: cited answers over indexed news articles."""

from qa.api import Newsdesk
from qa.errors import NewsdeskError
from qa.filters import Filters
from qa.settings import Settings
from qa.types import Answer, Citation, Passage, Timings

__all__ = ["Newsdesk", "Settings", "Answer", "Citation", "Passage", "Timings", "Filters", "NewsdeskError"]
