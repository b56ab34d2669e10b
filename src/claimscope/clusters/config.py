"""How claims are clustered (``ClusterConfig``) and what a clustering run did (``ClusterStats``)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from claimscope.errors import SettingsError
from claimscope.models.embedder import EMBEDDER

# The same-claim model of the gate (``clusters.same_claim``): a claim joins a cluster only when
# it says the claim states the same claim as the cluster's founder and the member it matched.
SAME_CLAIM_MODEL = "match-minilm"

# How a claim came into its cluster.
HOWS = ("new", "exact", "near", "semantic")
# Candidate clusters the same-claim gate may refuse a claim before it starts its own: the best
# joins come first, and comparing every candidate was most of the gate's cost.
GATE_TRIES = 3
# Claims clustered per transaction.
CHUNK_SIZE = 2048
# Nearest clustered claims a claim is compared with: enough to reach, past closer claims on the
# same topic, a claim that counts the same thing with a lower cosine.
CANDIDATES = 16
# Indexed claims whose cluster and comparable text a run keeps at hand (``Neighbours``), at most:
# about 0.5 KB an entry, so some 150 MB. Searches find only the claims of the window, so a cache
# larger than the window would keep entries never asked for.
SEEN_CACHE = 300_000
# Indexed claims a claim can meet by meaning: the newest, in clustering (publication) order.
# The index's memory and the cost of each search stop growing there (about 1 KB a claim with
# its graph); exact duplicates are found among all claims whatever the window.
WINDOW = 300_000


@dataclass(frozen=True, slots=True, kw_only=True)
class ClusterConfig:
    """How claims are clustered: the embedding model, the newest indexed claims a claim can
    join by meaning (``window``; 0: all), the same-claim model of the gate (``same_claim_model``;
    None: no gate, the static stage alone decides) and thresholds (None: the model cards', which
    were measured for them)."""

    model: str = EMBEDDER
    chunk_size: int = CHUNK_SIZE
    candidates: int = CANDIDATES
    window: int = WINDOW
    near_duplicate: float | None = None
    semantic: float | None = None
    semantic_quantity: float | None = None
    same_claim_model: str | None = SAME_CLAIM_MODEL
    same_claim: float | None = None
    same_claim_quantity: float | None = None

    def __post_init__(self) -> None:
        if self.chunk_size < 1 or self.candidates < 1:
            raise SettingsError("chunk_size and candidates must be 1 or more")
        if self.window < 0:
            raise SettingsError(f"window must be 0 (no limit) or more, got {self.window}")
        names = ("near_duplicate", "semantic", "semantic_quantity")
        for name in (*names, "same_claim", "same_claim_quantity"):
            value = getattr(self, name)
            if value is not None and not 0 < value <= 1:
                raise SettingsError(f"{name} must be in (0, 1], got {value}")


@dataclass(slots=True)
class ClusterStats:
    """What a clustering run did: claims clustered, by how they joined, and the time taken."""

    total: int = 0
    claims: int = 0
    joined: dict[str, int] = field(default_factory=lambda: dict.fromkeys(HOWS, 0))
    clusters: int = 0
    # Pairs the same-claim gate compared, and joins it refused (a claim then tried its next
    # candidate cluster, or started its own).
    compared: int = 0
    refused: int = 0
    rebuilt_index: bool = False
    seconds: float = 0.0


Progress = Callable[[ClusterStats], None]
