"""The demo's path guard: only posts inside the --posts folder, whatever name the browser sends."""
import os

import pytest

os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")
from nlp.demo import PathRefused, resolve_post  # noqa: E402


@pytest.fixture
def folders(tmp_path):
    root, outside = tmp_path / "posts", tmp_path / "outside"
    (root / "2024").mkdir(parents=True)
    outside.mkdir()
    (root / "a.md").write_text("---\ntitle: a\n---\n正文\n", encoding="utf-8")
    (root / "2024" / "b.markdown").write_text("正文\n", encoding="utf-8")
    (root / "notes.txt").write_text("not a post\n", encoding="utf-8")
    (root / ".draft.md").write_text("hidden\n", encoding="utf-8")
    (outside / "secret.md").write_text("secret\n", encoding="utf-8")
    return root, outside


@pytest.mark.parametrize("name", ["a.md", "2024/b.markdown", "./a.md"])
def test_posts_inside_the_folder_resolve_to_their_real_path(folders, name):
    root, _ = folders
    path = resolve_post(root, name)
    assert path == (root / name).resolve()
    assert path.is_relative_to(root.resolve())


@pytest.mark.parametrize("name", ["../outside/secret.md", "2024/../../outside/secret.md", "..", "",
                                  "2024/../a.md",  # `..` is refused even when it would stay inside
                                  ".draft.md", "notes.txt", "missing.md", "2024", "a.md\0.md"])
def test_names_that_leave_the_folder_or_are_not_posts_are_refused(folders, name):
    root, _ = folders
    with pytest.raises(PathRefused):
        resolve_post(root, name)


def test_absolute_paths_are_refused_even_inside_the_folder(folders):
    root, outside = folders
    for path in (outside / "secret.md", root / "a.md"):
        with pytest.raises(PathRefused):
            resolve_post(root, str(path))


def test_symlinks_leaving_the_folder_are_refused(folders):
    root, outside = folders
    (root / "link.md").symlink_to(outside / "secret.md")
    (root / "linked-dir").symlink_to(outside, target_is_directory=True)
    for name in ("link.md", "linked-dir/secret.md"):
        with pytest.raises(PathRefused, match="outside the posts folder"):
            resolve_post(root, name)


def test_symlinks_within_the_folder_resolve_to_their_target(folders):
    root, _ = folders
    (root / "alias.md").symlink_to(root / "2024" / "b.markdown")
    assert resolve_post(root, "alias.md") == (root / "2024" / "b.markdown").resolve()


def test_a_symlinked_root_is_followed_once(folders, tmp_path):
    root, _ = folders
    (tmp_path / "root-link").symlink_to(root, target_is_directory=True)
    assert resolve_post(tmp_path / "root-link", "a.md") == (root / "a.md").resolve()
