"""Import validation report: what each table contributed and which rows were refused, and why."""
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Rejection:
    table: str
    line: int
    reason: str


@dataclass
class ImportReport:
    counts: dict[str, int] = field(default_factory=dict)  # table -> rows accepted
    rejected: list[Rejection] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    shared_data_dir: str | None = None  # None: the shared data sets were not found

    def accept(self, table: str, n: int = 1) -> None:
        self.counts[table] = self.counts.get(table, 0) + n

    def reject(self, table: str, line: int, reason: str) -> None:
        self.rejected.append(Rejection(table, line, reason))

    def rejected_by_table(self) -> dict[str, int]:
        out: dict[str, int] = {}
        for rejection in self.rejected:
            out[rejection.table] = out.get(rejection.table, 0) + 1
        return out
