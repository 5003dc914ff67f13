"""The incident store: models, taxonomy, filters, import/export and the journal.

This package never imports Textual: the app and the CLI are built on top of it.
"""

from store.counts import Count
from store.errors import (
    AmbiguousId,
    FieldProblem,
    IncidentNotFound,
    InvalidIncident,
    JournalError,
    JournalUnreadable,
    JournalWriteError,
    RevisionConflict,
)
from store.filters import IncidentFilter
from store.journal import SCHEMA_VERSION, BadRecord, ImportResult, Journal, PossibleDuplicate
from store.models import Incident, IncidentFields, Source

__all__ = [
    "SCHEMA_VERSION",
    "AmbiguousId",
    "BadRecord",
    "Count",
    "FieldProblem",
    "ImportResult",
    "Incident",
    "IncidentFields",
    "IncidentFilter",
    "IncidentNotFound",
    "InvalidIncident",
    "Journal",
    "JournalError",
    "JournalUnreadable",
    "JournalWriteError",
    "PossibleDuplicate",
    "RevisionConflict",
    "Source",
]
