import os

import pytest

from tqd_sheets.atomic import OutputError, write_atomic, write_bytes_atomic


def test_write_replaces_in_one_step(tmp_path):
    target = tmp_path / "out" / "a.csv"
    write_bytes_atomic(target, b"one")
    write_bytes_atomic(target, b"two")
    assert target.read_bytes() == b"two"
    assert [p.name for p in target.parent.iterdir()] == ["a.csv"]


def test_crash_while_writing_leaves_the_old_file_and_no_temp(tmp_path):
    target = tmp_path / "a.xlsx"
    target.write_bytes(b"old")

    def boom(tmp):
        tmp.write_bytes(b"half")
        raise RuntimeError("crash")

    with pytest.raises(RuntimeError):
        write_atomic(target, boom)
    assert target.read_bytes() == b"old"
    assert [p.name for p in tmp_path.iterdir()] == ["a.xlsx"]


@pytest.mark.skipif(os.geteuid() == 0, reason="root ignores directory permissions")
def test_read_only_folder_gives_a_clear_message(tmp_path):
    folder = tmp_path / "ro"
    folder.mkdir()
    folder.chmod(0o500)
    try:
        with pytest.raises(OutputError, match="Không ghi được"):
            write_bytes_atomic(folder / "a.csv", b"x")
    finally:
        folder.chmod(0o700)
