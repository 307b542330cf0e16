"""Newsdesk question answering: cited answers over indexed news articles."""

from qa.api import Newsdesk
from qa.errors import BackendError, BusyError, ConfigError, InputError, NewsdeskError, StorageError
from qa.filters import Filters
from qa.settings import Settings
from qa.types import Answer, Citation, Passage, Progress, Timings

__all__ = ["Newsdesk", "Settings", "Answer", "Citation", "Passage", "Progress", "Timings", "Filters",
           "NewsdeskError", "ConfigError", "InputError", "StorageError", "BackendError", "BusyError"]
