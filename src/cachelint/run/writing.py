"""Writing a fixed file, after every file of the run has been analysed (so that no file's
analysis sees another file half-fixed)."""

from __future__ import annotations

from dataclasses import replace

from cachelint.core.errors import CachelintError, FileError
from cachelint.run.jobs import FileJob
from cachelint.run.lint_file import lint_source
from cachelint.run.results import FileResult
from cachelint.source.files import SourceFile, write_source


def write_fixed(job: FileJob, source: SourceFile, result: FileResult) -> FileResult:
    """Write `result.text` over the file read as `source`; when that fails, the file is
    reported as it is on disk, with the reason."""
    try:
        write_source(source, result.text)
    except CachelintError as error:
        # Nothing was written: report the file as it is on disk.
        unfixed = lint_source(source, replace(job.request, fix=False), job.absolute)
        return replace(unfixed, error=FileError(job.shown, error.reason), warnings=result.warnings)
    return result
