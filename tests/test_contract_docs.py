"""The contract page and the templates agree with the contract in code."""

import openpyxl
import pytest

from dashboard import config, contract, templates


@pytest.mark.parametrize("kind", contract.KINDS)
def test_docs_list_every_column_with_its_required_flag(kind):
    text = (config.REPO_DIR / "docs" / "data-contract.md").read_text(encoding="utf-8")
    section = text.split(f"### {kind}")[1].split("###")[0]
    for col in contract.COLUMNS[kind]:
        assert f"| `{col.name}` | {'yes' if col.required else 'no'} |" in section, col.name


@pytest.mark.parametrize("kind", contract.KINDS)
def test_shipped_templates_match_the_contract(kind):
    names = [c.name for c in contract.COLUMNS[kind]]
    folder = config.DATA_DIR / "templates"
    assert (folder / f"{kind}_template.csv").read_bytes() == templates.csv_bytes(kind)
    wb = openpyxl.load_workbook(folder / f"{kind}_template.xlsx")
    assert [c.value for c in wb[kind][1]] == names
    assert [row[0] for row in wb["Column guide"].iter_rows(min_row=2, values_only=True)] == names
