"""Stages: named, versioned callables over a batch of analyses, with what they read and write."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from claimscope.model import Analysis
from claimscope.settings import Settings

StageFunc = Callable[[list[Analysis], Settings], None]


@dataclass(frozen=True, slots=True)
class Stage:
    """A pipeline step: fills some fields of every analysis in a batch, in place."""

    name: str
    func: StageFunc
    requires: tuple[str, ...]
    assigns: tuple[str, ...]
    doc: str

    def __call__(self, batch: list[Analysis], settings: Settings) -> list[Analysis]:
        self.func(batch, settings)
        return batch


STAGES: dict[str, Stage] = {}


def register(
    name: str, *, requires: Sequence[str], assigns: Sequence[str]
) -> Callable[[StageFunc], StageFunc]:
    """Register ``func`` as the stage ``name`` (e.g. ``claimscope.segment.v1``)."""

    def wrap(func: StageFunc) -> StageFunc:
        if name in STAGES:
            raise ValueError(f"stage {name} registered twice")
        doc = (func.__doc__ or "").strip().splitlines()[0] if func.__doc__ else ""
        STAGES[name] = Stage(name, func, tuple(requires), tuple(assigns), doc)
        return func

    return wrap
