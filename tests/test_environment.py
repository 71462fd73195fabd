"""The conda environment.yml pins the same versions as pyproject.toml."""

from __future__ import annotations

import re
import tomllib

import yaml

from udkecon import config


def pyproject_pins() -> dict[str, str]:
    project = tomllib.loads((config.PROJECT_ROOT / "pyproject.toml").read_text())["project"]
    specs = project["dependencies"] + [d for ds in project["optional-dependencies"].values()
                                       for d in ds]
    pins = {}
    for spec in specs:
        name, version = re.fullmatch(r"([A-Za-z0-9_.-]+)==([^;\s]+)", spec).groups()
        pins[name.lower().replace("_", "-")] = version
    return pins


def conda_pins() -> dict[str, str]:
    env = yaml.safe_load((config.PROJECT_ROOT / "environment.yml").read_text())
    pins = {}
    for dep in env["dependencies"]:
        if isinstance(dep, str) and "=" in dep:
            name, version = dep.split("=", 1)
            pins[name.lower()] = version
    return pins


def test_every_pyproject_pin_is_in_environment_yml_with_the_same_version():
    conda = conda_pins()
    for name, version in pyproject_pins().items():
        assert conda.get(name) == version, f"{name}: pyproject {version}, conda {conda.get(name)}"


def test_environment_yml_pins_nothing_pyproject_does_not():
    extra = set(conda_pins()) - set(pyproject_pins()) - {"python"}
    assert not extra, f"only in environment.yml: {extra}"


def test_lock_file_agrees_with_the_pins():
    lock = {}
    for line in (config.PROJECT_ROOT / "requirements.lock").read_text().splitlines():
        if "==" in line:
            name, version = line.split("==")
            lock[name.lower().replace("_", "-")] = version
    for name, version in pyproject_pins().items():
        assert lock.get(name) == version, f"{name}: pyproject {version}, lock {lock.get(name)}"
