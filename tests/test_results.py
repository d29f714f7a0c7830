"""The chapters find benchmark results through the package, whatever the working
directory."""

import os

import pytest

from adam.book.results import MissingResults, find_results, load_results, results_path


def test_results_found_from_any_directory(tmp_path):
    here = os.getcwd()
    os.chdir(tmp_path)
    try:
        assert results_path("adam_step_cpu.json").is_file()
        assert "machine" in load_results("adam_step_cpu.json")
        assert find_results("*_cpu.json")
    finally:
        os.chdir(here)


def test_a_missing_file_says_so():
    with pytest.raises(MissingResults, match="no results file 'nothing.json'"):
        load_results("nothing.json")
    assert find_results("nothing-*.json") == []
