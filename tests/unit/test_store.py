"""Page store behaviour on a real bare repository (dulwich objects, read back with the git CLI)."""

from __future__ import annotations

import subprocess

import pytest

from wikibot.errors import AlreadyExists, Conflict, InvalidInput, NotFound, TooLarge
from wikibot.settings import Limits
from wikibot.store import Author, GitRepo, WikiStore, wiki_path

ANN = Author("Ann Agent", "ann@example.com", "mcp")


@pytest.fixture
def store(tmp_path):
    path = wiki_path(tmp_path, "ann", "notes")
    GitRepo.init(path)
    return WikiStore.open(path, limits=Limits(max_page_bytes=1000, max_attachment_bytes=100))


def git(store, *args):
    return subprocess.run(
        ["git", "--git-dir", str(store.repo.path), *args],
        check=True,
        capture_output=True,
        text=True,
    ).stdout


def test_create_then_read_round_trips_and_git_sees_the_commit(store):
    result = store.write("Projects/Alpha Plan", "# Alpha\nBody\n", ANN)
    assert result.created and len(result.revision) == 40
    page = store.read("projects/alpha plan")
    assert page.text == "# Alpha\nBody\n"
    assert page.name == "Projects/Alpha Plan"
    assert page.file == "projects/alpha plan.md"
    assert git(store, "show", "main:projects/alpha plan.md") == "# Alpha\nBody\n"
    log = git(store, "log", "-1", "--format=%an <%ae>|%s")
    assert log.strip() == "Ann Agent <ann@example.com>|[mcp] create: Projects/Alpha Plan"


def test_creating_an_existing_page_is_a_conflict_that_names_the_revision(store):
    first = store.write("Home", "one", ANN)
    with pytest.raises(Conflict) as err:
        store.write("Home", "two", ANN)
    assert err.value.current == first.revision
    assert store.read("Home").text == "one"


def test_update_needs_the_current_revision(store):
    first = store.write("Home", "one", ANN)
    second = store.write("Home", "two", ANN, revision=first.revision[:7])
    with pytest.raises(Conflict) as err:
        store.write("Home", "three", ANN, revision=first.revision)
    assert err.value.current == second.revision
    assert "read_note" in str(err.value)
    assert store.read("Home").text == "two"


def test_update_with_a_revision_from_before_an_unrelated_change_lands(store):
    first = store.write("Home", "one", ANN)
    store.write("Other", "x", ANN)
    store.write("Home", "two", ANN, revision=first.revision)
    assert store.read("Home").text == "two"


def test_read_at_old_revision_and_one_section(store):
    text = "# T\nintro\n## Background\nbg\n### Details\ndeep\n## Next\nn\n"
    first = store.write("Doc", text, ANN)
    store.write("Doc", "changed", ANN, revision=first.revision)
    assert store.read("Doc", revision=first.revision).text == text
    section = store.read("Doc", revision=first.revision, section="Background > Details").text
    assert section.startswith("### Details") and "deep" in section and "Next" not in section
    with pytest.raises(InvalidInput, match="Background"):
        store.read("Doc", revision=first.revision, section="Nowhere")


def test_edit_replaces_exactly_one_occurrence(store):
    rev = store.write("Doc", "alpha beta alpha", ANN).revision
    with pytest.raises(InvalidInput, match="2 times"):
        store.edit("Doc", "alpha", "x", ANN, revision=rev)
    with pytest.raises(InvalidInput, match="not found"):
        store.edit("Doc", "gamma", "x", ANN, revision=rev)
    store.edit("Doc", "beta ", "", ANN, revision=rev)
    assert store.read("Doc").text == "alpha alpha"
    with pytest.raises(Conflict):
        store.edit("Doc", "alpha alpha", "z", ANN, revision=rev)


def test_delete_removes_page_and_attachments_but_history_keeps_them(store):
    rev = store.write("Doc", "text", ANN).revision
    store.put_attachment("Doc", "a.txt", b"hi", ANN)
    store.delete("Doc", ANN)
    assert not store.exists("Doc")
    assert store.read("Doc", revision=rev).text == "text"
    with pytest.raises(NotFound):
        store.delete("Doc", ANN)
    assert "doc/a.txt" not in git(store, "ls-tree", "-r", "--name-only", "main")


def test_rename_moves_page_attachments_and_rewrites_links_in_one_commit(store):
    store.write("Old", "I am [[Old]] see [[Other]]", ANN)
    store.write("Linker", "go [[Old]] and [[text|old#part]]", ANN)
    store.write("Other", "no links here", ANN)
    store.put_attachment("Old", "pic.png", b"\x89PNG", ANN)
    before = git(store, "rev-list", "--count", "main")
    result, rewritten = store.rename("Old", "Archive/New", ANN)
    assert int(git(store, "rev-list", "--count", "main")) == int(before) + 1
    assert rewritten == ["Linker"]
    assert store.read("Linker").text == "go [[Archive/New]] and [[text|Archive/New#part]]"
    assert store.read("Archive/New").text == "I am [[Archive/New]] see [[Other]]"
    assert store.get_attachment("Archive/New", "pic.png") == b"\x89PNG"
    assert not store.exists("Old")
    assert result.name == "Archive/New"
    with pytest.raises(AlreadyExists):
        store.rename("Other", "Archive/New", ANN)


def test_list_filters_combine(store):
    store.write("P/A", "---\ncategory: project\ntags: [x, Y]\n---\nwords here", ANN)
    store.write("P/B", "---\ncategory: project\ntags: x\n---\nmore", ANN)
    store.write("Q", "---\ncategory: person\ntags: [y]\n---\n", ANN)
    assert [p.name for p in store.list_pages(prefix="p/")] == ["P/A", "P/B"]
    assert [p.name for p in store.list_pages(category="project", tag="y")] == ["P/A"]
    assert [p.name for p in store.list_pages(tag="Y")] == ["P/A", "Q"]
    assert [p.name for p in store.list_pages(updated_since="2000-01-01")] == ["P/A", "P/B", "Q"]
    assert store.list_pages(updated_since="2999-01-01") == []
    with pytest.raises(InvalidInput, match="ISO 8601"):
        store.list_pages(updated_since="yesterday")


def test_search_links_backlinks_and_orphans(store):
    store.write("Home", "start at [[Garden]]", ANN)
    store.write("Garden", "tomatoes and basil grow in the garden; see [[Missing]]", ANN)
    store.write("Lonely", "nobody links to tomatoes here", ANN)
    hits = store.search("garden tomatoes")
    assert hits[0].name == "Garden"
    links = store.links("Garden")
    assert links.outgoing == [("Missing", False)]
    assert links.incoming == ["Home"]
    assert store.orphans() == ["Lonely"]


def test_history_recent_changes_and_diff(store):
    one = store.write("Doc", "line one\n", ANN).revision
    two = store.write("Doc", "line two\n", ANN, revision=one).revision
    store.write("Other", "x", ANN)
    assert [r.id for r in store.history("Doc")] == [two, one]
    recent = store.recent_changes(2)
    assert recent[0].pages == ("Other",) and recent[1].id == two
    diff = store.diff("Doc", one, two)
    assert "-line one" in diff and "+line two" in diff
    assert store.diff("Doc", two) == ""


def test_attachments_round_trip_and_limits(store):
    with pytest.raises(NotFound, match="create it"):
        store.put_attachment("Nope", "a.bin", b"x", ANN)
    store.write("Doc", "x", ANN)
    store.put_attachment("Doc", "a.bin", bytes(range(50)), ANN)
    assert [(a.name, a.size) for a in store.attachments("Doc")] == [("a.bin", 50)]
    assert store.get_attachment("Doc", "a.bin") == bytes(range(50))
    with pytest.raises(TooLarge):
        store.put_attachment("Doc", "big.bin", b"x" * 101, ANN)
    store.delete_attachment("Doc", "a.bin", ANN)
    assert store.attachments("Doc") == []


@pytest.mark.parametrize(
    "name",
    ["../x", "a/../b", "/etc/passwd", ".git/config", "a/.hidden", "a\x00b", "", "   ", "a\\b"],
)
def test_bad_page_names_are_refused_and_write_nothing(store, name):
    head = store.repo.head()
    with pytest.raises(InvalidInput):
        store.write(name, "x", ANN)
    assert store.repo.head() == head


@pytest.mark.parametrize("filename", ["../x", "a/b", ".git", "", "a\x00b"])
def test_bad_attachment_names_are_refused(store, filename):
    store.write("Doc", "x", ANN)
    head = store.repo.head()
    with pytest.raises(InvalidInput):
        store.put_attachment("Doc", filename, b"x", ANN)
    assert store.repo.head() == head


def test_bad_bodies_are_refused_and_write_nothing(store):
    with pytest.raises(TooLarge):
        store.write("Big", "x" * 1001, ANN)
    with pytest.raises(InvalidInput, match="UTF-8"):
        store.write("Bin", b"\xff\xfe bad", ANN)
    with pytest.raises(InvalidInput, match="UTF-8"):
        store.write("Surrogate", "bad \udc80", ANN)
    with pytest.raises(InvalidInput, match="NUL"):
        store.write("Nul", "a\x00b", ANN)
    assert store.repo.head() is None


def test_revision_must_be_hex_and_exist(store):
    store.write("Doc", "x", ANN)
    with pytest.raises(InvalidInput):
        store.read("Doc", revision="abc")
    with pytest.raises(NotFound):
        store.read("Doc", revision="0" * 40)


def test_wiki_path_refuses_escaping_names(tmp_path):
    for user, wiki in [("..", "x"), ("a", "../b"), ("A", "b"), ("a/b", "c"), ("", "x")]:
        with pytest.raises(InvalidInput):
            wiki_path(tmp_path, user, wiki)


def test_default_limits_refuse_a_page_or_attachment_one_byte_over(tmp_path):
    path = wiki_path(tmp_path, "ann", "notes")
    GitRepo.init(path)
    store = WikiStore.open(path)
    most_page, most_file = Limits().max_page_bytes, Limits().max_attachment_bytes
    store.write("Doc", "x" * most_page, ANN)  # exactly at the limit is fine
    head = store.repo.head()
    with pytest.raises(TooLarge, match=f"{most_page:,}"):
        store.write("Big", "x" * (most_page + 1), ANN)
    store.put_attachment("Doc", "ok.bin", b"\0" * most_file, ANN)
    head = store.repo.head()
    with pytest.raises(TooLarge, match=f"{most_file:,}"):
        store.put_attachment("Doc", "big.bin", b"\0" * (most_file + 1), ANN)
    assert store.repo.head() == head


def test_repositories_are_created_private_and_older_ones_made_private_on_open(tmp_path):
    import os
    import stat

    path = wiki_path(tmp_path, "ann", "private")
    GitRepo.init(path)
    for folder in (path, path.parent, path.parent.parent):
        assert stat.S_IMODE(folder.stat().st_mode) == 0o700
    os.chmod(path, 0o755)  # as repositories were created before
    GitRepo(path)
    assert stat.S_IMODE(path.stat().st_mode) == 0o700
