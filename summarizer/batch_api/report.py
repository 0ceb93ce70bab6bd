"""The Batch API's part of a run report: what went out, what came back, what is in flight, what it cost."""

from __future__ import annotations

from pydantic import BaseModel, Field

from summarizer.batch_api.costs import Cost
from summarizer.schema import Usage


class InFlight(BaseModel):
    batch_id: str | None = Field(description="None while the intent is not yet a batch (resumed by the next run).")
    intent_id: str
    status: str
    documents: int
    requests: int


class Returned(BaseModel):
    path: str
    reason: str
    batches: int = Field(description="Batches this document has come back from so far.")


class DocumentCost(BaseModel):
    path: str
    brief: str
    cost: Cost


class BatchApiReport(BaseModel):
    submitted_documents: int = 0
    submitted_batches: list[str] = Field(default_factory=list, description="Batch ids created by this run.")
    resumed_intents: int = Field(0, description="Intents a killed run left half sent, finished by this one.")
    collected_batches: list[str] = Field(default_factory=list)
    in_flight: list[InFlight] = Field(default_factory=list)
    returned: list[Returned] = Field(default_factory=list, description="Back to pending, with the reason.")
    gave_up: int = Field(0, description="Documents failed after the batch attempt limit, without --batch-fallback.")
    fallback: int = Field(0, description="Documents sent request by request (--batch-fallback).")
    cost: Cost = Field(description="Tokens and cost of what this run collected, at the batch price.")
    fallback_cost: Cost | None = Field(None, description="The --batch-fallback requests, at list price.")
    usage: Usage = Field(default_factory=Usage, description="Tokens of every answer this run used, fallback included.")
    requests: int = Field(0, description="Requests answered: batch lines and fallback requests.")
    documents: list[DocumentCost] = Field(default_factory=list)
    error: str | None = Field(default=None, description="The provider call that failed this run (the next run resumes).")

    def lines(self) -> list[str]:
        """What a run prints at its end: every batch in flight, then the cost."""
        out = [
            f"in flight: {f.batch_id or f.intent_id} {f.status}, {f.documents} documents ({f.requests} requests)"
            for f in self.in_flight
        ]
        for r in self.returned:
            out.append(f"back to pending: {r.path}: {r.reason}")
        out.append(self.footer())
        return out

    def footer(self) -> str:
        """One line for the digest's footer and the end of the run."""
        flying = sum(f.documents for f in self.in_flight)
        text = (
            f"Batch API: {self.submitted_documents} documents submitted in {len(self.submitted_batches)} batches, "
            f"{len(self.documents)} collected, {flying} in flight · {self.cost.line()}"
        )
        if self.fallback_cost is not None:
            text += f" · request by request: {self.fallback_cost.line()}"
        return text
