"""The data model: one documented dataclass per thing claimscope reads, finds or answers with.

- ``document.py``: one document and its analysis (every annotation is a span into the text);
- ``corpus.py``: what a corpus store answers with (clusters, coverage, timelines,
  contradictions across documents, stored claims, reviews);
- ``verification.py``: fact-check matches, evidence, verdicts;
- ``listings.py``: pages of stored records and the other replies of the workbench's REST API;
- ``fields.py``: how each of them documents its fields and becomes JSON (one serialiser).

Everything is importable from ``claimscope.model`` itself, as it was when the model was a module.
"""

from __future__ import annotations

# Each module names its public names once, in its ``__all__``; the package exports them all (as
# asyncio's package does), so adding a record to a module is one line there, not three.
from claimscope.model import corpus, document, listings, verification
from claimscope.model.corpus import *  # noqa: F403
from claimscope.model.document import *  # noqa: F403
from claimscope.model.fields import Record as Record
from claimscope.model.fields import data_fields as data_fields
from claimscope.model.fields import doc as doc
from claimscope.model.fields import span_keys as span_keys
from claimscope.model.listings import *  # noqa: F403
from claimscope.model.verification import *  # noqa: F403

__all__ = sorted(
    [
        *corpus.__all__,
        *document.__all__,
        "Record",
        "data_fields",
        "doc",
        "span_keys",
        *listings.__all__,
        *verification.__all__,
    ]
)
