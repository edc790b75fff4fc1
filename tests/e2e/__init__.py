"""End-to-end proof that cachelint's fixes keep programs working and cut the input bill.

`harness` runs the example programs of tests/fixtures/e2e/ on the real `anthropic` SDK against
the fake API, applies fixes with the real CLI and compares what the model received; `cases` lists
which program proves which rule's fix. Used by tests/e2e/test_fix_proof.py and
scripts/savings_table.py.
"""
