"""Shared, expensive fixtures for eval tests: one extractive run of the bundled set (session scope)."""

import os

import pytest

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")


@pytest.fixture(scope="session")
def eval_data_dir(tmp_path_factory):
    import torch

    torch.set_num_threads(1)
    return tmp_path_factory.mktemp("eval-data")


@pytest.fixture(scope="session")
def extractive_settings(eval_data_dir):
    from qa import Settings

    return Settings(llm="extractive", data_dir=eval_data_dir)


@pytest.fixture(scope="session")
def bundled_run(extractive_settings, eval_data_dir):
    """The whole bundled set, answered in extractive mode; returns (report, out_dir)."""
    from eval.runner import run_eval

    out = eval_data_dir / "run-extractive"
    report = run_eval("samples", settings=extractive_settings, out_dir=out, progress=False)
    return report, out
