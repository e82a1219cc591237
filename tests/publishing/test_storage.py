from bulletin.publishing.storage import FilesystemStorage


def test_files_lists_pages_only_and_temporaries_are_found_at_any_depth(tmp_path):
    storage = FilesystemStorage(tmp_path, durable=False)
    storage.write("index.html", b"<p>home</p>")
    storage.write("a-story/index.html", b"<p>story</p>")
    storage.write("sections/war/page/2/index.html", b"<p>list</p>")
    storage.bump_generation()
    (tmp_path / ".publisher.lock").touch()
    (tmp_path / "static/css").mkdir(parents=True)
    (tmp_path / "static/css/site.css").write_bytes(b"body{}")
    (tmp_path / "sections/war/page/2/.tmp-0123456789ab-index.html").write_bytes(b"<p>li")  # a crash mid-write
    (tmp_path / ".tmp-ba9876543210-index.html").write_bytes(b"<p>ho")

    assert sorted(storage.files()) == ["a-story/index.html", "index.html", "sections/war/page/2/index.html"]
    assert storage.remove_temporary_files() == 2
    assert not list(tmp_path.rglob(".tmp-*"))
    assert (tmp_path / "static/css/site.css").exists() and (tmp_path / ".generation").exists()
    assert (tmp_path / "a-story/index.html.br").exists(), "the variants are kept, only not listed"
