"""What linting gives: the request for one file and the results of a file and of a run.

Plain frozen values (no CST nodes), so they pickle across worker processes and the report
formats and the CLI read them.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import FrozenSet, NamedTuple, Optional, Tuple

from cachelint.core.diagnostics import Diagnostic, UnknownSite
from cachelint.core.errors import FileError, FileWarning
from cachelint.core.options import AnalysisOptions
from cachelint.fix.apply import AppliedFix, RejectedFix


@dataclass(frozen=True)
class LintRequest:
    """What linting one file needs: small, hashable and picklable."""

    options: AnalysisOptions
    reportable_codes: FrozenSet[str]
    fix: bool = False
    unsafe_fixes: bool = False


@dataclass(frozen=True)
class FileResult:
    path: str  # display path (relative to the working directory when inside it)
    absolute_path: str  # for machine formats; "-" for stdin without --stdin-filename
    diagnostics: Tuple[Diagnostic, ...] = ()  # what remains, sorted
    unknown_sites: Tuple[UnknownSite, ...] = ()
    original_text: Optional[str] = None
    text: Optional[str] = None  # after fixes (== original_text when nothing was fixed)
    fixed: Tuple[AppliedFix, ...] = ()
    rejected_fixes: Tuple[RejectedFix, ...] = ()
    warnings: Tuple[FileWarning, ...] = ()
    error: Optional[FileError] = None
    encoding: str = "utf-8"

    @property
    def changed(self) -> bool:
        return (
            self.text is not None
            and self.original_text is not None
            and self.text != self.original_text
        )

    @classmethod
    def nothing_to_report(cls, path: str, absolute_path: str) -> "FileResult":
        """`FileResult(path, absolute_path)`: a file checked without a finding (the prefilter
        skipped it). A big run makes thousands of these after its last file is read; filling
        the instance's dict at once costs a fifth of the frozen `__init__`'s setattr per field."""
        result = object.__new__(cls)
        fields = result.__dict__
        fields.update(_RESULT_DEFAULTS)
        fields["path"] = path
        fields["absolute_path"] = absolute_path
        return result


_RESULT_DEFAULTS = {
    name: getattr(FileResult, name)
    for name in FileResult.__dataclass_fields__
    if name not in ("path", "absolute_path")
}


class FixedInFile(NamedTuple):
    path: str  # the file's shown path
    fix: AppliedFix


@dataclass(frozen=True)
class RunResult:
    files: Tuple[FileResult, ...] = ()
    discovery_errors: Tuple[FileError, ...] = ()

    @property
    def diagnostics(self) -> Tuple[Diagnostic, ...]:
        return tuple(sorted((d for f in self.files for d in f.diagnostics), key=diagnostic_order))

    @property
    def errors(self) -> Tuple[FileError, ...]:
        file_errors = [f.error for f in self.files if f.error is not None]
        return tuple(self.discovery_errors) + tuple(file_errors)

    @property
    def warnings(self) -> Tuple[FileWarning, ...]:
        return tuple(w for f in self.files for w in f.warnings)

    @property
    def fixed(self) -> Tuple[FixedInFile, ...]:
        return tuple(FixedInFile(f.path, fix) for f in self.files for fix in f.fixed)

    @property
    def changed_files(self) -> Tuple[FileResult, ...]:
        return tuple(f for f in self.files if f.changed)

    @property
    def unknown_sites(self) -> Tuple[UnknownSite, ...]:
        sites = (s for f in self.files for s in f.unknown_sites)
        return tuple(
            sorted(sites, key=lambda s: (s.path, s.location.row, s.location.column, s.method))
        )

    @property
    def checked_files(self) -> int:
        return sum(1 for f in self.files if f.error is None)


def diagnostic_order(diagnostic: Diagnostic) -> tuple:
    return diagnostic.sort_key
