"""pyproject.toml, environment.yml and requirements/lock.txt describe one environment.

pip users get pyproject's ranges constrained by the lock; conda/Binder users get
environment.yml's pins. These tests make sure the three agree, and that the
virtual environment the tests run in was really built from the lock.
"""

import importlib.metadata
import re
import sys
import tomllib
from pathlib import Path

import pytest
import yaml
from packaging.markers import default_environment
from packaging.requirements import Requirement
from packaging.specifiers import SpecifierSet

ROOT = Path(__file__).resolve().parents[1]


def normalise(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def pyproject_requirements() -> list[Requirement]:
    data = tomllib.loads((ROOT / "pyproject.toml").read_text())
    project = data["project"]
    reqs = project["dependencies"] + project["optional-dependencies"]["test"]
    return [Requirement(r) for r in reqs]


def lock_pins() -> dict[str, str]:
    pins = {}
    for line in (ROOT / "requirements" / "lock.txt").read_text().splitlines():
        line = line.split("#")[0].strip()
        if line:
            name, _, version = line.partition("==")
            assert version, f"lock.txt line {line!r} is not an exact pin NAME==VERSION"
            pins[normalise(name)] = version
    return pins


def environment_pins() -> dict[str, str]:
    env = yaml.safe_load((ROOT / "environment.yml").read_text())
    pip_section = next(d["pip"] for d in env["dependencies"] if isinstance(d, dict))
    pins = {}
    for entry in pip_section:
        if entry.startswith("-e"):
            continue
        req = Requirement(entry)
        (spec,) = req.specifier
        assert spec.operator == "==", f"environment.yml must pin exactly: {entry}"
        pins[normalise(req.name)] = spec.version
    return pins


def linux_requirements() -> dict[str, Requirement]:
    """pyproject's requirements that apply on the Linux x86_64 machines CI and Binder use."""
    linux = dict(default_environment(), sys_platform="linux", platform_machine="x86_64")
    return {normalise(r.name): r for r in pyproject_requirements()
            if r.marker is None or r.marker.evaluate(linux)}


def test_environment_yml_lists_the_same_packages_as_pyproject():
    assert set(environment_pins()) == set(linux_requirements())


@pytest.mark.parametrize("name", sorted(linux_requirements()))
def test_environment_pin_equals_lock_and_satisfies_pyproject(name):
    env, lock = environment_pins(), lock_pins()
    assert name in lock, f"{name} is a dependency but requirements/lock.txt does not pin it"
    assert env[name] == lock[name], (
        f"environment.yml pins {name}=={env[name]}, the lock has {lock[name]}")
    requirement = linux_requirements()[name]
    assert requirement.specifier.contains(lock[name], prereleases=True), (
        f"lock pins {name}=={lock[name]}, outside pyproject's range {requirement.specifier}")


def test_environment_yml_names_the_python_of_the_lock():
    env = yaml.safe_load((ROOT / "environment.yml").read_text())
    python = next(d for d in env["dependencies"] if isinstance(d, str) and d.startswith("python"))
    assert python == f"python={sys.version_info.major}.{sys.version_info.minor}"


def test_pyproject_allows_only_the_python_of_the_lock():
    """The lock is resolved for one Python minor version; pyproject, environment.yml, ruff's
    target and the tests' interpreter name that one."""
    data = tomllib.loads((ROOT / "pyproject.toml").read_text())
    minor = f"{sys.version_info.major}.{sys.version_info.minor}"
    allowed = SpecifierSet(data["project"]["requires-python"])
    assert allowed.contains(f"{minor}.0") and not allowed.contains(
        f"{sys.version_info.major}.{sys.version_info.minor + 1}.0"), allowed
    assert data["tool"]["ruff"]["target-version"] == f"py{minor.replace('.', '')}"


def test_installed_packages_match_the_lock():
    """The venv running the tests was built from the lock, so every student gets these numbers."""
    pins = lock_pins()
    wrong = []
    for dist in importlib.metadata.distributions():
        name = normalise(dist.metadata["Name"])
        if name in pins and dist.version != pins[name]:
            wrong.append(f"{name} {dist.version} (lock: {pins[name]})")
    assert not wrong, "installed versions differ from requirements/lock.txt: " + ", ".join(wrong)


def test_every_locked_direct_dependency_is_installed():
    missing = [n for n in linux_requirements() if not _installed(n)]
    assert not missing, f"not installed: {missing}; run `make setup`"


def _installed(name: str) -> bool:
    try:
        importlib.metadata.version(name)
    except importlib.metadata.PackageNotFoundError:
        return False
    return True
