"""adam.book.seeds: the defaults unchanged, other seeds from ADAM_BOOK_SEED."""

import pytest

from adam.book.seeds import ENV_VAR, seed, seeds


def test_default_seeds_are_the_written_ones(monkeypatch):
    monkeypatch.delenv(ENV_VAR, raising=False)
    assert [seed(n) for n in (0, 1, 7, 2015)] == [0, 1, 7, 2015]
    assert seeds(3, 4) == [3, 4, 5, 6]
    monkeypatch.setenv(ENV_VAR, "0")
    assert seed(1412) == 1412


def test_other_offset_other_distinct_seeds(monkeypatch):
    monkeypatch.setenv(ENV_VAR, "1")
    other = seeds(0, 50)
    assert len(set(other)) == 50 and set(other).isdisjoint(range(50))
    assert all(0 <= s < 2**32 for s in other)
    assert seed(5) == seed(5)  # the same seed every time
    monkeypatch.setenv(ENV_VAR, "2")
    assert seeds(0, 50) != other


@pytest.mark.parametrize("value", ["one", "1.5", "-2"])
def test_a_malformed_variable_is_named(monkeypatch, value):
    monkeypatch.setenv(ENV_VAR, value)
    with pytest.raises(ValueError, match=ENV_VAR):
        seed(0)


@pytest.mark.parametrize("n", [-1, 1.0, True, "3"])
def test_a_seed_is_a_whole_number(monkeypatch, n):
    monkeypatch.delenv(ENV_VAR, raising=False)
    with pytest.raises(ValueError, match="whole number"):
        seed(n)
