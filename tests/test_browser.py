"""The notebooks as an economist meets them: JupyterLab in a real browser (headless Chromium).

A JupyterLab server on a free loopback port, with a token, serves a working copy of
notebooks/ made by `udkecon.lab.sync` (as `make lab` does), with the project's kernel. For
each notebook the test types a new parameter value into the parameters cell, runs all cells
from the Run menu, waits for the kernel, and checks what a person would see: no error, every
chart drawn as an image with a size, the text following the new parameter; then it saves
the copy and checks that the template in notebooks/ did not change. Last it opens an executed
report notebook (the audit log `make report` keeps), untrusted, and looks for its charts.

Needs Debian's `chromium` and `chromium-driver` and Selenium; skips without them, except when
UDKECON_REQUIRE_BROWSER=1 (CI), where it fails. Screenshots go to a temporary folder (printed;
UDKECON_SCREENSHOTS=DIR keeps them in DIR). Every process it starts (JupyterLab and its
kernels, chromedriver, Chromium) is stopped at the end, also after a failure.
"""

from __future__ import annotations

import hashlib
import json
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path

import nbformat
import pytest

from udkecon import config, lab
from udkecon.labels import label

pytestmark = pytest.mark.browser

CHROMIUM = "/usr/bin/chromium"
CHROMEDRIVER = "/usr/bin/chromedriver"
# the flags headless Chromium needs as root in a container, and none that reach the network
CHROMIUM_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                  "--disable-quic", "--no-first-run", "--disable-background-networking",
                  "--disable-component-update", "--disable-sync", "--window-size=1280,1400"]
RUN_TIMEOUT_S = 240  # one notebook's Run All on a loaded 2-core machine (about 20 s alone)


@dataclass(frozen=True)
class Case:
    """A notebook, the parameter a person changes, and what shows the change took."""

    notebook: str
    line_start: str  # the parameter's line up to the old value
    old: str
    new: str
    charts: int  # counted by hand in the notebook: one per chart it draws with these values
    shows: str  # text the outputs contain only with the new value


CASES = [
    Case("udk_costs_fixed_prices.ipynb", "base_year: int = ", "2020", "2021", 2,
         # by cost type; gross and net
         label("costs_title", "da", period="2017-2021", base_year=2021)),
    Case("business_case.ipynb", 'language: str = "', "da", "en", 4,
         label("bc_heading_conclusion", "en")),  # cash flows, cumulative, tornado, Monte Carlo
    Case("municipality_handout.ipynb", 'municipality: str = "', "København", "Aarhus", 2,
         "Aarhus"),  # gross and net by year; per inhabitant
    Case("operations_status.ipynb", 'language: str = "', "da", "en", 2,
         label("ops_title", "en")),  # availability heatmap; calls
]


# ------------------------------------------------------------------ what must be there

def _missing() -> str | None:
    for program in (CHROMIUM, CHROMEDRIVER):
        if not os.access(program, os.X_OK):
            return f"{program} not found (apt-get install chromium chromium-driver)"
    try:
        import selenium  # noqa: F401
    except ImportError:
        return "selenium is not installed (pip install -e '.[dev]')"
    from jupyter_client.kernelspec import KernelSpecManager

    if lab.PROJECT_KERNELSPEC["name"] not in KernelSpecManager().find_kernel_specs():
        return "the kernel 'udkecon' is not installed (make env)"
    return None


@pytest.fixture(scope="module")
def requirements():
    missing = _missing()
    if missing:
        if os.environ.get("UDKECON_REQUIRE_BROWSER") == "1":
            pytest.fail(f"UDKECON_REQUIRE_BROWSER=1 but {missing}")
        pytest.skip(missing)


@pytest.fixture(scope="module")
def screenshots(tmp_path_factory):
    kept = os.environ.get("UDKECON_SCREENSHOTS")
    # pytest's temporary folders (the last three runs are kept) unless asked to keep them
    folder = Path(kept) if kept else tmp_path_factory.mktemp("screenshots")
    folder.mkdir(parents=True, exist_ok=True)
    print(f"\nscreenshots: {folder}")
    return folder


# ------------------------------------------------------------------ processes

def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _stop(processes) -> None:
    """Terminate the given psutil processes, then kill whatever is left after 5 s."""
    import psutil

    for process in processes:
        try:
            process.terminate()
        except psutil.NoSuchProcess:
            pass
    _, alive = psutil.wait_procs(processes, timeout=5)
    for process in alive:
        try:
            process.kill()
        except psutil.NoSuchProcess:
            pass
    psutil.wait_procs(alive, timeout=5)


@dataclass
class Lab:
    url: str
    token: str
    work: Path
    reports: Path

    def open_url(self, path: str) -> str:
        # ?reset: a clean workspace, only the one notebook open
        return f"{self.url}/lab/tree/{path}?reset&token={self.token}"


@pytest.fixture(scope="module")
def lab_server(requirements, tmp_path_factory):
    """JupyterLab on a working copy of notebooks/, private config, the project's kernel."""
    import psutil

    root = tmp_path_factory.mktemp("lab")
    work = root / "work"
    lab.sync(work_dir=work)
    settings = root / "settings" / "@jupyterlab" / "apputils-extension"
    settings.mkdir(parents=True)
    # no "get Jupyter news?" toast over the notebook, and no request for it
    (settings / "notification.jupyterlab-settings").write_text(
        json.dumps({"fetchNews": "false", "checkForUpdates": False}))
    port, token = _free_port(), secrets.token_hex(16)
    env = dict(os.environ, JUPYTER_CONFIG_DIR=str(root / "config"),
               JUPYTER_DATA_DIR=str(root / "data"), JUPYTER_RUNTIME_DIR=str(root / "runtime"),
               JUPYTERLAB_SETTINGS_DIR=str(root / "settings"),
               JUPYTERLAB_WORKSPACES_DIR=str(root / "workspaces"),
               # an interactive run writes its workbook here, not into the real reports/
               UDKECON_REPORTS_DIR=str(root / "reports"))
    log = open(root / "jupyterlab.log", "w")
    server = subprocess.Popen(
        [sys.executable, "-m", "jupyter", "lab", "--no-browser", "--allow-root",
         "--ServerApp.ip=127.0.0.1", f"--ServerApp.port={port}", "--ServerApp.port_retries=0",
         f"--IdentityProvider.token={token}", f"--ServerApp.root_dir={work}",
         f"--MappingKernelManager.default_kernel_name={lab.PROJECT_KERNELSPEC['name']}",
         "--LabApp.news_url=None", "--LabApp.extension_manager=readonly"],
        env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            if server.poll() is not None:
                pytest.fail(f"JupyterLab exited with {server.returncode}: "
                            f"{(root / 'jupyterlab.log').read_text()[-1500:]}")
            try:
                urllib.request.urlopen(f"{url}/api/status?token={token}", timeout=2)
                break
            except OSError:
                if time.monotonic() > deadline:
                    pytest.fail("JupyterLab did not answer within 60 s")
                time.sleep(0.3)
        yield Lab(url, token, work, root / "reports")
    finally:
        # its kernels run in sessions of their own: note them now, stop them by id after
        try:
            children = psutil.Process(server.pid).children(recursive=True)
        except psutil.NoSuchProcess:
            children = []
        try:
            request = urllib.request.Request(f"{url}/api/shutdown?token={token}", method="POST")
            urllib.request.urlopen(request, timeout=5)
            server.wait(timeout=15)
        except (OSError, subprocess.TimeoutExpired):
            if server.poll() is None:
                os.killpg(server.pid, signal.SIGKILL)
                server.wait(timeout=5)
        _stop([c for c in children if c.is_running()])
        log.close()


@pytest.fixture(scope="module")
def browser(requirements, tmp_path_factory):
    """Headless Chromium through chromedriver, with a fresh profile."""
    import psutil
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    os.environ.setdefault("SE_OFFLINE", "true")  # Selenium Manager must not look online
    profile = tmp_path_factory.mktemp("chromium-profile")
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in CHROMIUM_FLAGS + [f"--user-data-dir={profile}"]:
        options.add_argument(flag)
    service = Service(CHROMEDRIVER, log_output=str(profile.parent / "chromedriver.log"))
    driver = webdriver.Chrome(service=service, options=options)
    started = [psutil.Process(service.process.pid)]
    started += started[0].children(recursive=True)  # Chromium and its helpers
    try:
        yield driver
    finally:
        try:
            driver.quit()
        finally:
            _stop([p for p in started if p.is_running()])


# ------------------------------------------------------------------ in the page

_CHARTS_JS = """
// every chart a person can see in the outputs: an <img>, or an <svg> that is not part of
// another one, with a drawn size (a stripped or empty one has none)
const seen = [];
for (const el of document.querySelectorAll(
        '.jp-NotebookPanel:not(.lm-mod-hidden) .jp-OutputArea-output img, '
        + '.jp-NotebookPanel:not(.lm-mod-hidden) .jp-OutputArea-output svg')) {
    if (el.tagName.toLowerCase() === 'svg' && el.parentElement.closest('svg')) continue;
    el.scrollIntoView({block: 'center'});
    const box = el.getBoundingClientRect();
    const style = getComputedStyle(el);
    seen.push({tag: el.tagName.toLowerCase(), width: box.width, height: box.height,
               visible: style.visibility !== 'hidden' && style.display !== 'none'});
}
return seen;
"""

_STATE_JS = """
const panel = document.querySelector('.jp-NotebookPanel:not(.lm-mod-hidden)');
if (!panel) return null;
const prompts = [...panel.querySelectorAll('.jp-CodeCell .jp-InputArea-prompt')]
    .map(p => p.textContent.trim());
const indicator = panel.querySelector('.jp-Notebook-ExecutionIndicator');
const errors = [...panel.querySelectorAll(
        '.jp-OutputArea-output[data-mime-type="application/vnd.jupyter.stderr"]')]
    .map(e => e.textContent);
return {prompts: prompts,
        status: indicator ? indicator.getAttribute('data-status') : null,
        kernel: (panel.querySelector('.jp-KernelName') || {}).textContent || '',
        errors: errors,
        text: [...panel.querySelectorAll('.jp-OutputArea-output')]
            .map(e => e.textContent).join('\\n')};
"""


def _wait(condition, timeout: float, what: str, interval: float = 0.5):
    deadline = time.monotonic() + timeout
    while True:
        value = condition()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout:.0f} s waiting for {what}")
        time.sleep(interval)


def open_notebook(driver, server: Lab, path: str) -> dict:
    """Open a notebook in a clean workspace; return the page state once its kernel is idle."""
    from selenium.webdriver.common.by import By

    driver.get(server.open_url(path))
    _wait(lambda: driver.find_elements(By.CSS_SELECTOR, ".jp-NotebookPanel .jp-Cell"), 60,
          f"{path} to open")

    def started():
        state = driver.execute_script(_STATE_JS)
        return (state and state["kernel"].strip() not in ("", "No Kernel")
                and state["status"] == "idle" and state)

    return _wait(started, 90, f"the kernel of {path} to start")


def hide_file_browser(driver) -> None:
    """Click the file browser's tab in the left bar (as a person would): more room."""
    from selenium.webdriver.common.by import By

    tabs = driver.find_elements(By.CSS_SELECTOR,
                                ".jp-SideBar.jp-mod-left .lm-TabBar-tab.lm-mod-current")
    if tabs:
        tabs[0].click()


def change_parameter(driver, case: Case) -> None:
    """Click into the parameter's line, select the old value with the keyboard, type the new."""
    from selenium.webdriver.common.action_chains import ActionChains
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys

    lines = [line for line in driver.find_elements(
        By.CSS_SELECTOR, ".jp-NotebookPanel:not(.lm-mod-hidden) .jp-Cell .cm-line")
        if line.text.startswith(case.line_start + case.old)]
    assert len(lines) == 1, f"{case.notebook}: the line '{case.line_start}{case.old}' once"
    lines[0].click()
    actions = ActionChains(driver).send_keys(Keys.HOME)
    actions.send_keys(Keys.ARROW_RIGHT * len(case.line_start))
    actions.key_down(Keys.SHIFT).send_keys(Keys.ARROW_RIGHT * len(case.old)).key_up(Keys.SHIFT)
    actions.send_keys(case.new).perform()
    _wait(lambda: any(line.text.startswith(case.line_start + case.new) for line in
                      driver.find_elements(By.CSS_SELECTOR, ".jp-NotebookPanel .cm-line")),
          10, f"the new value {case.new!r} in the editor")


def click_menu(driver, menu: str, item: str) -> None:
    from selenium.webdriver.common.by import By

    for entry in driver.find_elements(By.CSS_SELECTOR, ".lm-MenuBar-itemLabel"):
        if entry.text == menu:
            entry.click()
            break
    else:
        raise AssertionError(f"no menu {menu!r}")
    item_label = _wait(lambda: [e for e in driver.find_elements(By.CSS_SELECTOR,
                                                                 ".lm-Menu-itemLabel")
                                if e.text == item], 10, f"the menu item {item!r}")
    item_label[0].click()


def run_all(driver, notebook: str) -> dict:
    """Run -> Run All Cells, then wait until every code cell ran (or one failed)."""
    click_menu(driver, "Run", "Run All Cells")

    def finished():
        state = driver.execute_script(_STATE_JS)
        done = all(p not in ("[ ]:", "[*]:", "") for p in state["prompts"])
        stopped = state["errors"] and "[*]:" not in state["prompts"]
        return (done or stopped) and state["status"] == "idle" and state

    return _wait(finished, RUN_TIMEOUT_S, f"{notebook} to run", interval=1)


def screenshot(driver, folder: Path, name: str) -> Path:
    """The whole notebook in one picture: the page as tall as the notebook's content."""
    height = driver.execute_script("""
        const panel = document.querySelector('.jp-NotebookPanel:not(.lm-mod-hidden)');
        const scroller = panel.querySelector('.jp-WindowedPanel-outer') || panel;
        scroller.scrollTop = 0;
        return scroller.scrollHeight + (window.innerHeight - scroller.clientHeight);""")
    width = driver.execute_script("return window.innerWidth")
    driver.execute_cdp_cmd("Emulation.setDeviceMetricsOverride", {
        "width": width, "height": min(int(height), 16000), "deviceScaleFactor": 1,
        "mobile": False})
    try:
        time.sleep(1)  # the layout follows the new size
        path = folder / f"{name}.png"
        driver.save_screenshot(str(path))
    finally:
        driver.execute_cdp_cmd("Emulation.clearDeviceMetricsOverride", {})
    print(f"screenshot: {path}")
    return path


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


# ------------------------------------------------------------------ the tests

@pytest.mark.parametrize("case", CASES, ids=lambda c: c.notebook.removesuffix(".ipynb"))
def test_change_a_parameter_and_run_all(case, lab_server, browser, screenshots):
    from selenium.webdriver.common.action_chains import ActionChains
    from selenium.webdriver.common.keys import Keys

    template = config.NOTEBOOKS_DIR / case.notebook
    template_before = sha256(template)
    copy = lab_server.work / case.notebook

    state = open_notebook(browser, lab_server, case.notebook)
    assert state["kernel"].strip() == lab.PROJECT_KERNELSPEC["display_name"]
    hide_file_browser(browser)
    change_parameter(browser, case)
    state = run_all(browser, case.notebook)

    # an error, and a warning too: a person sees either as something gone wrong
    assert not state["errors"], f"{case.notebook}: {[e[:600] for e in state['errors']]}"
    assert all(p.startswith("[") and p[1:-2].isdigit() for p in state["prompts"]), \
        f"{case.notebook}: not every code cell ran: {state['prompts']}"
    assert case.shows in state["text"], f"{case.notebook}: {case.shows!r} not in the outputs"
    charts = browser.execute_script(_CHARTS_JS)
    drawn = [c for c in charts if c["visible"] and c["width"] >= 100 and c["height"] >= 60]
    assert len(drawn) == case.charts, f"{case.notebook}: {len(drawn)} charts drawn, " \
                                      f"{case.charts} expected: {charts}"
    screenshot(browser, screenshots, case.notebook.removesuffix(".ipynb"))

    # save (Ctrl+S): the working copy holds the run, the template is untouched
    ActionChains(browser).key_down(Keys.CONTROL).send_keys("s").key_up(Keys.CONTROL).perform()
    saved = _wait(lambda: (nb := nbformat.read(copy, as_version=4)) and any(
        c.get("outputs") for c in nb.cells if c.cell_type == "code") and nb, 30,
        f"{copy} to be saved")
    parameters = next(c for c in saved.cells if "parameters" in c.metadata.get("tags", []))
    assert case.line_start + case.new in parameters.source
    assert not [o for c in saved.cells if c.cell_type == "code" for o in c.outputs
                if o.output_type == "error"]
    assert sha256(template) == template_before, f"{template} changed on disk"
    assert lab.outputs_in(nbformat.read(template, as_version=4)) == 0


@pytest.fixture(scope="module")
def executed_report(requirements, tmp_path_factory, lab_server):
    """The audit log of `python -m udkecon run udk_costs_fixed_prices`, in the lab's folder."""
    out = tmp_path_factory.mktemp("report")
    finished = subprocess.run(
        [sys.executable, "-m", "udkecon", "run", "udk_costs_fixed_prices", "-o", str(out)],
        capture_output=True, text=True, timeout=300,
        env=dict(os.environ, UDKECON_REPORTS_DIR=str(lab_server.reports)))
    assert finished.returncode == 0, finished.stderr[-2000:]
    folder = lab_server.work / "executed"
    folder.mkdir(exist_ok=True)
    shutil.copy(out / "udk_costs_fixed_prices.ipynb", folder / "udk_costs_fixed_prices.ipynb")
    return "executed/udk_costs_fixed_prices.ipynb"


def test_an_executed_report_shows_its_charts_untrusted(executed_report, lab_server, browser,
                                                       screenshots):
    state = open_notebook(browser, lab_server, executed_report)
    hide_file_browser(browser)
    assert not state["errors"], [e[:600] for e in state["errors"]]
    # the report is there (so a failure below is about its charts, not a missing notebook)
    assert label("costs_title", "da", period="2017-2021",
                 base_year=config.DEFAULT_BASE_YEAR) in state["text"]
    screenshot(browser, screenshots, "executed_udk_costs_fixed_prices_untrusted")
    charts = browser.execute_script(_CHARTS_JS)
    drawn = [c for c in charts if c["visible"] and c["width"] >= 100 and c["height"] >= 60]
    assert len(drawn) == 2, f"{len(drawn)} of the 2 charts drawn: {charts}"
