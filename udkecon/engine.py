"""A papermill engine that runs notebook after notebook in one warm kernel.

A fresh kernel per notebook costs its start-up and its imports (pandas, matplotlib, the
package) every time: seconds per handout. A batch worker instead keeps one kernel, imports
what the notebook imports once (`warm_up_statements`), and before each notebook resets the
kernel to a fresh namespace:

- the user namespace is cleared as by `%reset -f` (names, Out history),
- figures are closed, and the working directory, sys.path, environment variables,
  warnings filters and matplotlib's rcParams are put back as they were after the warm-up,
- the execution counter restarts at 1, so the executed notebook reads like a fresh run.

Modules stay imported (that is the point), so module-level caches survive; the package's
caches are keyed by file contents. Each notebook is still executed cell by cell by papermill
(the `udkecon_warm` engine below is papermill's own nbclient engine given the running
kernel), so the executed notebook is papermill's record of that run. After a failed
notebook the worker starts a new kernel, so that nothing a failure left behind can reach
the next notebook.
"""

from __future__ import annotations

import ast
import json
import os
import shutil
import sys
import tempfile
import time
import warnings

from . import config

ENGINE_NAME = "udkecon_warm"

# what the kernel looked like after the warm-up (kept in the kernel process)
_snapshot: dict | None = None


# --------------------------------------------------------------------------- in the kernel

def kernel_snapshot() -> None:
    """Remember the state that `kernel_reset` restores (called once, after the warm-up)."""
    global _snapshot
    _snapshot = {"cwd": os.getcwd(), "path": list(sys.path), "environ": dict(os.environ),
                 "filters": list(warnings.filters), "rc": None}
    if "matplotlib" in sys.modules:
        _snapshot["rc"] = sys.modules["matplotlib"].rcParams.copy()


def kernel_reset() -> None:
    """Give the next notebook a fresh namespace in this kernel (see the module docstring)."""
    from IPython import get_ipython

    shell = get_ipython()
    shell.reset(new_session=False)  # what %reset -f does
    if "matplotlib.pyplot" in sys.modules:
        sys.modules["matplotlib.pyplot"].close("all")
    if _snapshot is not None:
        os.chdir(_snapshot["cwd"])
        sys.path[:] = _snapshot["path"]
        os.environ.clear()
        os.environ.update(_snapshot["environ"])
        warnings.filters[:] = _snapshot["filters"]
        if _snapshot["rc"] is not None:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                sys.modules["matplotlib"].rcParams.update(_snapshot["rc"])
    shell.execution_count = 1


def kernel_warm_up(statements: list[str]) -> list[str]:
    """Run each import statement in a scratch namespace; return those that failed.

    A failing import is left for the notebook run to report in its own cell.
    """
    failed = []
    for statement in statements:
        try:
            exec(statement, {})
        except Exception:
            failed.append(statement)
    kernel_snapshot()
    return failed


_RESET_CODE = "__import__('udkecon.engine').engine.kernel_reset()"


def warm_up_statements(notebook) -> list[str]:
    """The notebook's import statements (top level of its code cells), to run once.

    `notebook` is a path (read as plain JSON: importing nbformat alone takes a second or
    two, which a worker should not spend before its kernel is launched) or a notebook.

    >>> import nbformat
    >>> nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(
    ...     "from udkecon import report\\nimport pandas as pd\\nx = 1")])
    >>> warm_up_statements(nb)
    ['from udkecon import report', 'import pandas as pd']
    """
    if isinstance(notebook, str | os.PathLike):
        with open(notebook, encoding="utf-8") as handle:
            cells = json.load(handle)["cells"]
    else:
        cells = notebook["cells"]
    lines = []
    for cell in cells:
        if cell["cell_type"] != "code":
            continue
        source = cell["source"]
        try:
            tree = ast.parse(source if isinstance(source, str) else "".join(source))
        except SyntaxError:  # IPython magics; the notebook run will say what is wrong
            continue
        lines += [ast.unparse(node) for node in tree.body
                  if isinstance(node, ast.Import | ast.ImportFrom)]
    return list(dict.fromkeys(lines))


# --------------------------------------------------------------------------- in the worker

def skip_unused_imports() -> None:
    """Leave out an import that costs every driver process most of a second for nothing.

    nbformat validates notebooks with jsonschema, whose format checkers import
    `rfc3987_syntax` when it is installed (JupyterLab's jupyter_events brings it) and build
    a parser of the whole IRI grammar on import: about 0.8 s of each process's start-up,
    for the "iri" format, which no notebook schema uses. jsonschema does without the module
    when it cannot be imported. Called first thing in the driver's processes (the command
    line, batch workers), before anything imports jsonschema; it changes no validation.
    """
    if "jsonschema" not in sys.modules:
        sys.modules.setdefault("rfc3987_syntax", None)  # None: `import` raises ImportError


class WarmKernel:
    """One kernel kept running for many notebooks (see the module docstring)."""

    def __init__(self, kernel_name: str = "python3", cwd=None, startup_timeout: float = 60):
        self.kernel_name = kernel_name
        self.cwd = str(cwd or config.NOTEBOOKS_DIR)
        self.startup_timeout = startup_timeout
        self.km = None
        self.kc = None
        self.warm_up: list[str] = []
        self.notebooks_run = 0

    def start(self, warm_up: list[str] | None = None, while_booting=None) -> float:
        """Start the kernel and run the `warm_up` imports in it; return the seconds it took.

        `while_booting` (no arguments) is called while the kernel process boots, for
        work of the caller's own that can overlap with it.
        """
        from jupyter_client.manager import AsyncKernelManager
        from jupyter_core.utils import run_sync

        started = time.perf_counter()
        self.warm_up = list(warm_up or [])
        # local sockets in a private folder (absolute: the kernel runs in another cwd), not
        # TCP ports that any local user could connect to
        self._sockets = tempfile.mkdtemp(prefix="udkecon-kernel-")
        self.km = AsyncKernelManager(kernel_name=self.kernel_name, transport="ipc",
                                     ip=os.path.join(self._sockets, "kernel"))
        # history in memory: parallel kernels would otherwise share one sqlite file
        run_sync(self.km.start_kernel)(extra_arguments=["--HistoryManager.hist_file=:memory:"],
                                       cwd=self.cwd)
        if while_booting is not None:
            while_booting()
        self.kc = self.km.client()
        run_sync(self._connect)()
        self.run(f"__import__('udkecon.engine').engine.kernel_warm_up({self.warm_up!r})",
                 timeout=self.startup_timeout * 5)
        self.notebooks_run = 0
        return time.perf_counter() - started

    async def _connect(self) -> None:
        # channels are opened inside the event loop that will use them (as nbclient does)
        self.kc.start_channels()
        await self.kc.wait_for_ready(timeout=self.startup_timeout)

    @property
    def pid(self) -> int | None:
        provisioner = getattr(self.km, "provisioner", None)
        return getattr(provisioner, "pid", None)

    def alive(self) -> bool:
        from jupyter_core.utils import run_sync

        return self.km is not None and bool(run_sync(self.km.is_alive)())

    def run(self, code: str, timeout: float = 60) -> None:
        """Run code silently in the kernel; raise RuntimeError if it fails."""
        from jupyter_core.utils import run_sync

        reply = run_sync(self.kc.execute_interactive)(
            code, silent=True, store_history=False, allow_stdin=False, timeout=timeout,
            output_hook=lambda message: None)
        content = reply["content"]
        if content.get("status") != "ok":
            raise RuntimeError(f"{content.get('ename', 'error')}: {content.get('evalue', '')}")

    def reset(self) -> None:
        """A fresh namespace for the next notebook."""
        self.run(_RESET_CODE)

    def restart(self) -> float:
        """A new kernel, warmed up again (after a failure)."""
        self.shutdown()
        return self.start(self.warm_up)

    def shutdown(self) -> None:
        from jupyter_core.utils import run_sync

        if self.kc is not None:
            self.kc.stop_channels()
            self.kc = None
        if self.km is not None:
            try:
                run_sync(self.km.shutdown_kernel)(now=True)
            except Exception:  # already gone: nothing left to stop
                pass
            self.km = None
        if getattr(self, "_sockets", None):
            shutil.rmtree(self._sockets, ignore_errors=True)
            self._sockets = None

    def kill(self) -> None:
        """Stop the kernel process at once (from a signal handler or a watchdog)."""
        pid = self.pid
        if pid:
            try:
                os.kill(pid, 9)
            except OSError:
                pass


def _register() -> None:
    """Register the `udkecon_warm` engine with papermill (idempotent)."""
    from papermill.clientwrap import PapermillNotebookClient
    from papermill.engines import NBClientEngine, papermill_engines
    from papermill.log import logger

    class WarmEngine(NBClientEngine):
        """papermill's nbclient engine, executing in a `WarmKernel` when given one."""

        @classmethod
        def execute_managed_notebook(cls, nb_man, kernel_name, log_output=False,
                                     stdout_file=None, stderr_file=None, start_timeout=60,
                                     execution_timeout=None, warm_kernel=None, **kwargs):
            if warm_kernel is None:
                return super().execute_managed_notebook(
                    nb_man, kernel_name, log_output=log_output, stdout_file=stdout_file,
                    stderr_file=stderr_file, start_timeout=start_timeout,
                    execution_timeout=execution_timeout, **kwargs)
            client = PapermillNotebookClient(
                nb_man, km=warm_kernel.km, timeout=execution_timeout,
                startup_timeout=start_timeout, kernel_name=kernel_name, log=logger,
                log_output=log_output, stdout_file=stdout_file, stderr_file=stderr_file)
            client.kc = warm_kernel.kc  # the running client: no new channels per notebook
            # papermill writes the whole notebook before and after every cell (~30 writes
            # a handout); here it is written once, when the run ends, however it ends
            # (papermill's notebook_complete saves it, error or not)
            save, nb_man.save = nb_man.save, lambda **kwargs: None
            try:
                return client.execute()
            finally:
                nb_man.save = save

    papermill_engines.register(ENGINE_NAME, WarmEngine)


_register_done = False


def register() -> None:
    global _register_done
    if not _register_done:
        _register()
        _register_done = True
