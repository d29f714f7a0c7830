"""The tests mirror the package: each module of `adam` has a test file named for it."""

from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_every_module_has_its_test_file():
    modules = [
        p
        for p in (ROOT / "adam").rglob("*.py")
        if p.name != "__init__.py" and "__pycache__" not in p.parts
    ]
    names = [p.stem for p in modules]
    assert len(names) == len(set(names)), "module names must be unique for this rule"
    missing = [
        str(p.relative_to(ROOT))
        for p in modules
        if not (ROOT / "tests" / f"test_{p.stem}.py").exists()
    ]
    assert not missing, f"modules without tests/test_<module>.py: {missing}"
