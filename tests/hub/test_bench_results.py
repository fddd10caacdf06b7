from bench.results import write_section


def test_write_section_replaces_only_its_own_block(tmp_path):
    path = tmp_path / "RESULTS.md"
    write_section("a", "first", path)
    write_section("b", "other", path)
    write_section("a", "second $1 \\g<0>", path)
    text = path.read_text()
    assert "first" not in text
    assert "second $1 \\g<0>" in text
    assert text.count("<!-- bench:a -->") == 1
    assert "<!-- bench:b -->\nother\n<!-- /bench:b -->" in text
