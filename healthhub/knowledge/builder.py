"""Assembles the knowledge base: curated tables first, then the shared data sets, then the clinical
facts (whose drug classes expand over every drug known by then)."""
import hashlib
from pathlib import Path

from healthhub.knowledge import compounds, curated, shared
from healthhub.knowledge.kb import KnowledgeBase


def knowledge_version(data_dir: Path | None) -> str:
    """Short hash of every input file's name and bytes: a review records exactly which facts it used."""
    digest = hashlib.sha256()
    files = [curated.DATA_DIR / name for name in curated.CURATED_FILES]
    if data_dir is not None:
        files += shared.shared_files(data_dir)
    for path in files:
        if path.exists():
            digest.update(path.name.encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()[:12]


def build_knowledge_base(data_dir: Path | None) -> KnowledgeBase:
    """`data_dir` None or missing: the curated tables alone (a clone without the shared data)."""
    kb = KnowledgeBase()
    if data_dir is not None and not (data_dir.is_dir() and shared.shared_files(data_dir)):
        kb.report.notes.append(f"no shared data sets under {data_dir}: curated tables only")
        data_dir = None
    kb.report.shared_data_dir = str(data_dir) if data_dir else None
    curated.load_reference_tables(kb)
    curated.load_drugs(kb)
    compounds.load_compounds(kb, curated.DATA_DIR)
    covered: set[str] = set()
    if data_dir is not None:
        shared.import_atc(kb, data_dir)
        covered = shared.import_ddinter(kb, data_dir)
        shared.import_nhsa(kb, data_dir)
        shared.import_products(kb, data_dir)
    kb.finish_indexes()
    curated.load_groups(kb)
    curated.load_curated_interactions(kb)
    kb.ddi_covered = frozenset(covered)
    curated.load_clinical_tables(kb)
    kb.version = knowledge_version(data_dir)
    return kb
