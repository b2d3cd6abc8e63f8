"""The files a reader can take away from a selection: what each is called, how it is made and its file type.

Each is made for one reader (reports.view decides what they may see), and its caller writes the export to the
audit log under `what`.
"""

from collections.abc import Callable
from dataclasses import dataclass

import duckdb

from dashboard import access, deck, figures, pack


@dataclass(frozen=True)
class Export:
    what: str  # as the audit log names it
    suffix: str
    mime: str
    build: Callable[[duckdb.DuckDBPyConnection, access.Scope, figures.Selection], bytes]


EXPORTS = {
    "pack": Export("funder pack (xlsx)", ".xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                   pack.build),
    "deck": Export("slides (pptx)", ".pptx",
                   "application/vnd.openxmlformats-officedocument.presentationml.presentation", deck.build),
    "pdf": Export("slides (pdf)", ".pdf", "application/pdf", deck.build_pdf),
}
