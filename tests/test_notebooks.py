"""Every notebook under notebooks/ runs top to bottom on a real Jupyter kernel (nbclient, an
ipykernel `python3` kernel of this interpreter), needs no test dependency, and is committed
without outputs."""

from __future__ import annotations

import os
import re
from pathlib import Path

import nbformat
import pandas as pd
import pytest
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))
NO_TEST_DEPENDENCY = 'import sys\nassert "pytest" not in sys.modules, "the notebook imported pytest"'


def test_there_are_notebooks_to_run():
    assert len(NOTEBOOKS) >= 2


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_notebook_is_committed_without_outputs(path):
    cells = [c for c in nbformat.read(path, as_version=4).cells if c.cell_type == "code"]
    assert [c.outputs for c in cells if c.outputs] == []
    assert [c.execution_count for c in cells if c.execution_count is not None] == []


def drawing_cells(path: Path) -> list[str]:
    return [c.source for c in nbformat.read(path, as_version=4).cells
            if c.cell_type == "code" and "plt.subplots(" in c.source]


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_a_figure_that_labels_what_it_draws_shows_a_legend(path):
    """The Monte Carlo notebook's convergence figure labelled its line "ES 99 %" and its band
    "95 % interval" and showed neither: the reader saw a blue band of no stated meaning."""
    unexplained = [cell.splitlines()[0] for cell in drawing_cells(path) if "label=" in cell and ".legend(" not in cell]
    assert unexplained == []


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_a_figure_in_dollars_writes_its_ticks_with_thousands_separators(path):
    """The interest figure's USD axis read 14000 and 10000 where the report's figures read 14,000."""
    bare = [cell.splitlines()[0] for cell in drawing_cells(path)
            if "USD" in cell and 'StrMethodFormatter("{x:,.0f}")' not in cell]
    assert bare == []


RAW_REPR = re.compile(r"<\w+\.\w+: '|\b(?:\w+View|TermValues|Decimal)\(|^\{'seed'")


def shown_as_reprs(notebook) -> list[str]:
    """Cells whose result is a raw repr where the reader wants values: notebook 02 showed its terms
    as `TermValues(annual_rate=Decimal('12'), ...)` and statuses as `<FacilityStatus.ACTIVE: 'active'>`,
    01 a `CustomerView(...)`, 03 the summary as a dict of cents."""
    return [c.source.splitlines()[0] for c in notebook.cells if c.cell_type == "code" for o in c.outputs
            if RAW_REPR.search(o.get("data", {}).get("text/plain", ""))]


def written_to_stderr(notebook) -> list[tuple[str, str]]:
    """Cells that printed to stderr (a DeprecationWarning, a FutureWarning, a progress bar)."""
    return [(c.source.splitlines()[0], o.text[:300]) for c in notebook.cells if c.cell_type == "code"
            for o in c.outputs if o.output_type == "stream" and o.name == "stderr"]


@pytest.fixture(scope="module")
def jupyter_path(tmp_path_factory) -> str:
    """A `python3` kernelspec started by this interpreter (`sys.executable`), found first on
    JUPYTER_PATH whatever other kernelspecs the machine has."""
    from ipykernel.kernelspec import install

    prefix = tmp_path_factory.mktemp("jupyter")
    install(kernel_name="python3", prefix=str(prefix))
    return str(prefix / "share" / "jupyter")


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_notebook_runs_top_to_bottom_on_a_jupyter_kernel(path, jupyter_path, tmp_path, monkeypatch):
    """Each notebook runs in a scratch directory and imports this checkout; a last cell checks
    that nothing it ran imported pytest."""
    monkeypatch.setenv("JUPYTER_PATH", jupyter_path)
    monkeypatch.setenv("PYTHONPATH", os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")]))
    monkeypatch.delenv("MPLBACKEND", raising=False)  # the kernel's own default, as a user's Jupyter has it
    notebook = nbformat.read(path, as_version=4)
    notebook.cells.append(nbformat.v4.new_code_cell(NO_TEST_DEPENDENCY))
    client = NotebookClient(notebook, kernel_name="python3", timeout=600,
                            resources={"metadata": {"path": str(tmp_path)}})
    try:
        client.execute()
    except CellExecutionError as failed:
        pytest.fail(f"{path.name}: {failed}")
    # a report figure from `.plot(` shown without pyplot printed "<Figure size 900x400 with 1 Axes>"
    drawing = [c for c in notebook.cells
               if c.cell_type == "code" and ("plt.subplots(" in c.source or ".plot(" in c.source)]
    blank = [c.source.splitlines()[0] for c in drawing
             if not any("image/png" in output.get("data", {}) for output in c.outputs)]
    assert blank == [], f"{path.name}: cells that draw a figure showed no picture"
    assert shown_as_reprs(notebook) == [], f"{path.name}: cells that show an object's repr, not its values"
    assert written_to_stderr(notebook) == [], f"{path.name}: cells that warned or wrote to stderr"
    if path.name == "04_monte_carlo.ipynb":  # its loss histogram has losses to draw, its ES more than one run
        sweep = tmp_path / "out" / "monte-carlo"
        risk = pd.read_parquet(sweep / "risk.parquet").iloc[0]
        runs = pd.read_parquet(sweep / "runs.parquet")
        errors = runs[runs["status"] != "ok"]["error"].value_counts().head(3).to_dict()
        assert risk["failed"] + risk["lost"] == 0, f"{risk['failed']} failed, {risk['lost']} lost: {errors}"
        assert round(risk["p_loss"] * risk["runs"]) >= 10, "the Monte Carlo market loses money in too few runs"
