"""The notebooks in notebooks/ are templates; JupyterLab works in a copy of them.

JupyterLab saves whatever a user does (an edited parameter, outputs, kernel metadata) into
the file it has open, by itself every two minutes. Opened on notebooks/, it would change the
notebooks that `make report` runs and everyone else starts from. So `make lab` syncs a
working copy into `work/` (git-ignored, beside notebooks/ so that relative paths resolve
alike) and opens JupyterLab there:

- a template without a copy is copied;
- a template that changed since its copy was made refreshes the copy, if the user has not
  edited it; if both changed, the user's copy stays and the new template is put beside it
  as `<name>.new.ipynb`, with one line saying so. A user's edit is never overwritten.

"Edited" means that the cells (their kind and source) differ from the template the copy was
made from; outputs, execution counts and metadata, which Run All brings back, are not edits.
The state (each template's sha256 when it was copied) is `work/.templates.json`.

Copies get the project's kernel ("Python (udkecon)"), so they run in this environment even in
a JupyterLab or VS Code started elsewhere. `python -m udkecon.lab kernelspec NOTEBOOK...`
gives notebooks that kernel (idempotent); `require_template` is how the driver refuses a
template that a session saved its outputs into.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
from dataclasses import dataclass
from pathlib import Path

from . import config, hashing
from .errors import ParameterError

# the kernel `make env` installs (ipykernel install --sys-prefix --name udkecon)
PROJECT_KERNELSPEC = {"name": "udkecon", "display_name": "Python (udkecon)",
                      "language": "python"}
STATE_FILE = ".templates.json"
NEW_SUFFIX = ".new.ipynb"


# ------------------------------------------------------------------ notebook files

def _read(path: Path):
    import nbformat

    return nbformat.reads(path.read_text(encoding="utf-8"), as_version=nbformat.NO_CONVERT)


def _write(notebook, path: Path) -> None:
    """Write as JupyterLab does (nbformat's JSON and a final newline), in one step."""
    import nbformat

    from .publish import atomic_path

    with atomic_path(path) as tmp:
        tmp.write_text(nbformat.writes(notebook) + "\n", encoding="utf-8")


def file_sha256(path: Path) -> str:
    return hashing.sha256(path)


def cells_sha256(notebook) -> str:
    """The hash of what a user edits: each cell's kind and source, in order."""
    cells = [[cell.cell_type, cell.source] for cell in notebook.cells]
    return hashlib.sha256(json.dumps(cells, ensure_ascii=False).encode()).hexdigest()


def with_project_kernel(notebook) -> bool:
    """Give `notebook` (in memory) the project's kernelspec; True if that changed it."""
    if dict(notebook.metadata.get("kernelspec", {})) == PROJECT_KERNELSPEC:
        return False
    notebook.metadata["kernelspec"] = dict(PROJECT_KERNELSPEC)
    return True


def set_kernelspec(path) -> bool:
    """Give the notebook file at `path` the project's kernelspec; True if the file changed.

    Only `metadata.kernelspec` changes: the rest of the file stays byte for byte.
    """
    path = Path(path)
    notebook = _read(path)
    if not with_project_kernel(notebook):
        return False
    _write(notebook, path)
    return True


def outputs_in(notebook) -> int:
    """How many code cells carry outputs or an execution count."""
    return sum(1 for cell in notebook.cells
               if cell.cell_type == "code" and (cell.get("outputs") or cell.get("execution_count")))


def require_template(path, templates_dir=None) -> None:
    """Refuse a template of notebooks/ that has outputs (a JupyterLab session saved into it).

    A run would otherwise start from someone's last try rather than the committed notebook.
    Notebooks outside `templates_dir` (a working copy, a user's own file) pass unchecked.
    """
    path = Path(path)
    templates_dir = Path(templates_dir or config.NOTEBOOKS_DIR).resolve()
    if path.resolve().parent != templates_dir:
        return
    dirty = outputs_in(_read(path))
    if dirty:
        shown = _shown(path)
        raise ParameterError(
            f"{shown}: {dirty} code cell{'s' if dirty > 1 else ''} with outputs, but a template "
            f"in notebooks/ must be as committed. Fix: git checkout {shown} (or clear all "
            f"outputs and save), and work in the copy `make lab` opens in work/")


def _shown(path: Path) -> str:
    """The path as a person in the project folder would type it."""
    try:
        return str(path.resolve().relative_to(config.PROJECT_ROOT))
    except ValueError:
        return str(path)


# ------------------------------------------------------------------ the working copy

@dataclass(frozen=True)
class Synced:
    """What `sync` did with one template: `action` is one of copied, current, refreshed,
    adopted (the user's copy already equals the new template) or kept (both changed: the
    new template is beside the copy as `new`)."""

    name: str
    action: str
    copy: Path
    new: Path | None = None

    def line(self) -> str | None:
        """The one line a person is told, or None when nothing needs saying."""
        copy = _shown(self.copy)
        if self.action == "copied":
            return f"{copy}: copied from notebooks/{self.name}"
        if self.action == "refreshed":
            return f"{copy}: refreshed from notebooks/{self.name}, which changed"
        if self.action == "kept":
            return (f"{copy}: kept your edits; notebooks/{self.name} changed too, its new "
                    f"version is {_shown(self.new)}")
        return None


def sync(templates_dir=None, work_dir=None) -> list[Synced]:
    """Bring the working copies in `work_dir` in step with the templates (see the module)."""
    templates_dir = Path(templates_dir or config.NOTEBOOKS_DIR)
    work_dir = Path(work_dir or config.LAB_DIR)
    work_dir.mkdir(parents=True, exist_ok=True)
    state_path = work_dir / STATE_FILE
    state = json.loads(state_path.read_text(encoding="utf-8")) if state_path.exists() else {}
    done = []
    for template_path in sorted(templates_dir.glob("*.ipynb")):
        if template_path.name.endswith(NEW_SUFFIX):
            continue
        entry = state.get(template_path.name, {})
        synced = _sync_one(template_path, work_dir, entry)
        state[template_path.name] = entry
        done.append(synced)
    from .publish import atomic_path

    with atomic_path(state_path) as tmp:
        tmp.write_text(json.dumps(state, indent=1, sort_keys=True) + "\n", encoding="utf-8")
    return done


def _sync_one(template_path: Path, work_dir: Path, entry: dict) -> Synced:
    """Sync one template; update its state `entry` in place."""
    name = template_path.name
    copy = work_dir / name
    new = work_dir / (template_path.stem + NEW_SUFFIX)
    template_sha = file_sha256(template_path)
    template = _read(template_path)
    template_cells = cells_sha256(template)

    def record() -> None:
        entry.update(template_sha256=template_sha, cells_sha256=template_cells)
        # our proposal beside the copy, untouched since, says nothing the copy does not
        proposed = entry.pop("new_sha256", None)
        if new.exists() and file_sha256(new) == proposed:
            new.unlink()

    def write_copy() -> None:
        with_project_kernel(template)
        _write(template, copy)
        record()

    if not copy.exists():
        write_copy()
        return Synced(name, "copied", copy)
    if entry.get("template_sha256") == template_sha:
        return Synced(name, "current", copy)
    copy_cells = cells_sha256(_read(copy))
    if copy_cells == entry.get("cells_sha256"):  # the user has not edited it
        write_copy()
        return Synced(name, "refreshed", copy)
    if copy_cells == template_cells:  # edited into what the template now is
        record()
        return Synced(name, "adopted", copy)
    # both changed (or a copy we have no record of): keep the user's, propose the template.
    # The state keeps the old template's hash, so the next sync says so again.
    with_project_kernel(template)
    if not new.exists() or file_sha256(new) == entry.get("new_sha256"):
        _write(template, new)  # a first proposal, or ours again (the user has not touched it)
        entry["new_sha256"] = file_sha256(new)
    else:  # the user edited the proposal too: another name, never over it
        new = new.with_name(f"{template_path.stem}.new-{template_sha[:8]}.ipynb")
        if not new.exists():
            _write(template, new)
    return Synced(name, "kept", copy, new)


# ------------------------------------------------------------------ command line

def main(argv=None) -> int:
    """`python -m udkecon.lab [sync]`: sync the working copy (what `make lab` runs first);
    `python -m udkecon.lab kernelspec NOTEBOOK...`: give notebooks the project's kernel."""
    parser = argparse.ArgumentParser(prog="python -m udkecon.lab", description=main.__doc__)
    commands = parser.add_subparsers(dest="command")
    sync_parser = commands.add_parser("sync", help="sync the working copy of notebooks/")
    sync_parser.add_argument("--work-dir", default=None, help="default: work/")
    kernel_parser = commands.add_parser("kernelspec", help="set the project's kernelspec")
    kernel_parser.add_argument("notebooks", nargs="+")
    args = parser.parse_args(argv)
    if args.command == "kernelspec":
        for path in args.notebooks:
            if set_kernelspec(path):
                print(f"{path}: kernel set to {PROJECT_KERNELSPEC['display_name']}")
        return 0
    for synced in sync(work_dir=getattr(args, "work_dir", None)):
        if synced.line():
            print(synced.line())
    return 0


if __name__ == "__main__":
    sys.exit(main())
