"""The Dapr CLI's path rules on a made-up run file: common paths from the run file, an app's from its own."""

from pathlib import Path

import pytest

from pizza_run.runfile import RunFileError, load


def _tree(tmp_path: Path, run_file: str) -> Path:
    for folder in ("res", "a/res-a", "a/.dapr/resources", "b", "c/conf", "home/.dapr/components"):
        (tmp_path / folder).mkdir(parents=True, exist_ok=True)
    for file in ("conf.yaml", "a/own.yaml", "b/.dapr/config.yaml", "c/conf/c.yaml", "home/.dapr/config.yaml"):
        (tmp_path / file).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / file).write_text("spec: {}\n")
    path = tmp_path / "dapr.yaml"
    path.write_text(run_file)
    return path


RUN_FILE = """
version: 1
common:
  configFilePath: ./conf.yaml
  resourcesPath: res
  env: {SHARED: common, OVERRIDDEN: common}
apps:
  - appID: a
    appDirPath: ./a/
    configFilePath: own.yaml
    resourcesPaths: [res-a]
    env: {OVERRIDDEN: a}
  - appDirPath: b
  - appID: c
    appDirPath: c
    configFilePath: conf/c.yaml
"""


def test_an_apps_paths_are_relative_to_its_folder_and_common_ones_to_the_run_file(tmp_path: Path) -> None:
    a, b, c = load(_tree(tmp_path, RUN_FILE), {"HOME": str(tmp_path / "home")})
    assert (a.app_id, a.app_dir) == ("a", tmp_path / "a")
    assert a.config_file == tmp_path / "a" / "own.yaml"
    # The app's own resourcesPaths win over its .dapr/resources and over common's.
    assert a.resources_paths == [tmp_path / "a" / "res-a"]
    assert a.env == {"SHARED": "common", "OVERRIDDEN": "a"}
    # No appID: the folder's name. No paths of its own: <appDirPath>/.dapr/config.yaml, then common's.
    assert b.app_id == "b"
    assert b.config_file == tmp_path / "b" / ".dapr" / "config.yaml"
    assert b.resources_paths == [tmp_path / "res"]
    assert c.config_file == tmp_path / "c" / "conf" / "c.yaml"


def test_without_any_paths_the_installation_defaults_apply(tmp_path: Path) -> None:
    run_file = _tree(tmp_path, "version: 1\napps:\n  - appDirPath: b\n")
    (app,) = load(run_file, {"HOME": str(tmp_path / "nohome"), "DAPR_RUNTIME_PATH": str(tmp_path / "home")})
    assert app.resources_paths == [tmp_path / "home" / ".dapr" / "components"]
    assert app.config_file == tmp_path / "b" / ".dapr" / "config.yaml"


@pytest.mark.parametrize(
    ("run_file", "names"),
    [
        # The mistake the CLI refused in this project's own dapr.yaml: an app path written from the top.
        ("version: 1\napps:\n  - appDirPath: a\n    configFilePath: ./a/own.yaml\n", "a/a/own.yaml"),
        ("version: 1\ncommon:\n  resourcesPath: ./missing\napps:\n  - appDirPath: a\n", "missing"),
        ("version: 1\napps:\n  - appDirPath: nowhere\n", "nowhere"),
    ],
)
def test_a_path_that_does_not_exist_is_refused_by_name(tmp_path: Path, run_file: str, names: str) -> None:
    with pytest.raises(RunFileError, match="error in getting the file info for .*" + names):
        load(_tree(tmp_path, run_file), {"HOME": str(tmp_path / "home")})


@pytest.mark.parametrize(
    ("run_file", "message"),
    [
        ("apps:\n  - appDirPath: a\n", "required field 'version'"),
        ("version: 1\napps:\n  - appID: x\n", "required field 'appDirPath'"),
        (
            "version: 1\ncommon:\n  daprdLogDestination: printer\napps:\n  - appDirPath: a\n",
            "invalid log destination",
        ),
    ],
)
def test_run_files_the_cli_refuses_are_refused(tmp_path: Path, run_file: str, message: str) -> None:
    with pytest.raises(RunFileError, match=message):
        load(_tree(tmp_path, run_file), {"HOME": str(tmp_path / "home")})


def test_this_projects_run_files_resolve(tmp_path: Path) -> None:
    root = Path(__file__).resolve().parents[2]
    for name in ("dapr.yaml", "dapr.locked.yaml"):
        apps = {a.app_id: a for a in load(root / name, {"HOME": str(tmp_path)})}
        assert len(apps) == 5
        assert apps["pizza-kitchen"].config_file.parent == root / "config"
        assert all(a.resources_paths == [root / "resources"] for a in apps.values())
