"""Collect from the downloads instructors really have: Canvas, Moodle, nbgrader, its
exchange, and a roster. Each fixture is built here, named after what it covers."""

from __future__ import annotations

import os
import zipfile
from pathlib import Path

import nbformat
import pytest

from autograde.errors import AutogradeError
from autograde.grading import layouts
from autograde.grading.collect import collect
from autograde.grading.roster import parse as parse_roster

from .conftest import MEAN_WRONG, NAME, submission
from .test_collect import ASSIGNMENTS, other_notebook

GOOD, WRONG = nbformat.writes(submission()), nbformat.writes(submission(mean=MEAN_WRONG))


def by_key(collection):
    return {(s.student_id, s.assignment): s for s in collection.submissions}


def write_zip(path: Path, members: dict[str, str | bytes]) -> Path:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in members.items():
            zf.writestr(name, data)
    return path


def inner_zip(members: dict[str, str]) -> bytes:
    import io
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        for name, data in members.items():
            zf.writestr(name, data)
    return buf.getvalue()


CANVAS = {
    f"lovelaceada_12345_67890_{NAME}.ipynb": GOOD,
    f"turingalan_late_23456_67891_{NAME}.ipynb": GOOD,
    # a resubmission: Canvas adds -1; the larger attachment id is the newer file
    f"hopper_34567_67001_{NAME}.ipynb": GOOD,
    f"hopper_34567_68002_{NAME}-1.ipynb": WRONG,
    "noether_45678_67893_notes.pdf": b"%PDF-1.4",
    "noether_45678_67894_other.ipynb": nbformat.writes(other_notebook()),
    "curie_56789_67895_work.zip": inner_zip({f"hw/{NAME}.ipynb": GOOD}),
    "README.txt": "downloaded from Canvas",
}


@pytest.fixture(params=["zip", "folder"])
def canvas_download(request, tmp_path):
    """The same Canvas download, as the zip itself and extracted into a folder."""
    if request.param == "zip":
        return write_zip(tmp_path / "submissions.zip", CANVAS)
    folder = tmp_path / "submissions"
    folder.mkdir()
    for name, data in CANVAS.items():
        (folder / name).write_bytes(data if isinstance(data, bytes) else data.encode())
    return folder


def test_canvas_ids_names_late_flags_and_resubmissions(canvas_download):
    found = collect(canvas_download, ASSIGNMENTS)
    assert found.layout == "canvas"
    subs = by_key(found)
    ada, alan, grace = subs[("12345", NAME)], subs[("23456", NAME)], subs[("34567", NAME)]
    assert (ada.status, ada.name, ada.late) == ("ok", "lovelaceada", False)
    assert (alan.status, alan.late) == ("ok", True)
    assert grace.nb == nbformat.reads(WRONG, as_version=4)       # the newer attachment
    assert f"graded the newest, hopper_34567_68002_{NAME}-1.ipynb" in grace.detail
    assert subs[("56789", NAME)].status == "ok"                  # a notebook inside a zip
    assert subs[("45678", "00_other")].status == "ok"
    assert "notes.pdf is not a notebook" in subs[("45678", "00_other")].detail
    assert found.unrecognised == ["README.txt: not a Canvas submission file name "
                                  "(lastfirst_USERID_ATTACHMENTID_file)"]


def moodle_folder(root: Path) -> Path:
    for folder, files in {
        "Ada Lovelace_123456_assignsubmission_file_": {f"{NAME}.ipynb": GOOD},
        "Alan Turing_234567_assignsubmission_file_": {f"sub/{NAME} (1).ipynb": WRONG},
        "Alan Turing_234567_assignsubmission_onlinetext_": {"onlinetext.html": "<p>hi</p>"},
        "Grace Hopper_345678_assignsubmission_file_": {"notes.txt": "no notebook"},
    }.items():
        for rel, text in files.items():
            path = root / folder / rel
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text)
    (root / "stray.ipynb").write_text(GOOD)
    return root


def test_moodle_download_folders(tmp_path):
    found = collect(moodle_folder(tmp_path / "moodle"), ASSIGNMENTS)
    assert found.layout == "moodle"
    subs = by_key(found)
    assert (subs[("123456", NAME)].status, subs[("123456", NAME)].name) == ("ok", "Ada Lovelace")
    alan = subs[("234567", NAME)]
    assert alan.status == "ok" and "onlinetext submission, not a file; not graded" in alan.detail
    grace = next(s for (sid, _), s in subs.items() if sid == "345678")
    assert grace.status == "invalid" and "notes.txt is not a notebook" in grace.detail
    assert [u.split(":")[0] for u in found.unrecognised] == ["stray.ipynb"]


def test_moodle_flat_zip(tmp_path):
    download = write_zip(tmp_path / "moodle.zip", {
        f"Ada Lovelace_123456_assignsubmission_file_{NAME}.ipynb": GOOD,
        f"Alan Turing_234567_assignsubmission_file_/{NAME}.ipynb": WRONG})
    subs = by_key(collect(download, ASSIGNMENTS))
    assert {k: s.status for k, s in subs.items()} == {("123456", NAME): "ok",
                                                      ("234567", NAME): "ok"}


def nbgrader_course(root: Path) -> Path:
    for student, assignment, stamp, text in [
            ("ada", NAME, "2026-12-01 10:00:00.000000 UTC", GOOD),
            ("alan", NAME, "2026-12-02 09:30:00.500000 UTC", WRONG),
            ("alan", "00_other", "2026-12-02 09:31:00.000000 UTC",
             nbformat.writes(other_notebook()))]:
        folder = root / "submitted" / student / assignment
        folder.mkdir(parents=True)
        (folder / f"{assignment}.ipynb").write_text(text)
        (folder / "timestamp.txt").write_text(stamp)
    (root / "source").mkdir()                     # the rest of a course directory
    return root


def test_nbgrader_course_directory(tmp_path):
    found = collect(nbgrader_course(tmp_path / "course"), ASSIGNMENTS)
    assert found.layout == "nbgrader"
    assert {k: s.status for k, s in by_key(found).items()} == {
        ("ada", NAME): "ok", ("alan", NAME): "ok", ("alan", "00_other"): "ok"}


def test_nbgrader_exchange_inbound_newest_timestamp_counts(tmp_path):
    inbound = tmp_path / "exchange" / "course101" / "inbound"
    for name, stamp, text in [
            (f"ada+{NAME}+2026-12-01 10:00:00.000000 UTC+abc", "2026-12-01 10:00:00 UTC", WRONG),
            (f"ada+{NAME}+2026-12-03 08:00:00.000000 UTC+def", "2026-12-03 08:00:00 UTC", GOOD)]:
        folder = inbound / name
        folder.mkdir(parents=True)
        (folder / f"{NAME}.ipynb").write_text(text)
        (folder / "timestamp.txt").write_text(stamp)
        os.utime(folder / f"{NAME}.ipynb", (2e9, 2e9) if text == WRONG else (1e9, 1e9))
    (inbound / "not-a-submission").mkdir()
    found = collect(inbound.parent, ASSIGNMENTS)
    assert found.layout == "exchange"
    ada = by_key(found)[("ada", NAME)]
    assert ada.nb == nbformat.reads(GOOD, as_version=4), "timestamp.txt, not mtime, decides"
    assert "2 notebooks" in ada.detail
    assert found.unrecognised[0].startswith("not-a-submission:")


ROSTER = ("Student,ID,SIS User ID,SIS Login ID,Section,Perceptron (999)\n"
          "    Points Possible,,,,,25\n"
          "\"Lovelace, Ada\",12345,S1,ada@uni,A,\n"
          "\"Turing, Alan\",23456,S2,alan@uni,A,\n"
          "\"Absent, Ann\",99999,S9,ann@uni,B,\n")


def test_a_roster_names_students_and_lists_who_is_missing(canvas_download):
    people = parse_roster(ROSTER)
    subs = by_key(collect(canvas_download, ASSIGNMENTS, only=NAME, people=people))
    assert subs[("12345", NAME)].name == "Lovelace, Ada"
    ann = subs[("99999", NAME)]
    assert (ann.status, ann.name) == ("missing", "Absent, Ann")
    assert "not on the roster" in subs[("34567", NAME)].detail
    assert "not on the roster" not in subs[("12345", NAME)].detail


def test_roster_columns_are_found_by_name_and_errors_say_what_to_fix():
    people = parse_roster("Email Address,Full Name,Identifier\n"
                          "ada@uni,Ada Lovelace,Participant 123456\n")
    assert (people["123456"].name, people["123456"].email) == ("Ada Lovelace", "ada@uni")
    with pytest.raises(AutogradeError, match="no id column"):
        parse_roster("who,mail\nada,ada@uni\n")
    with pytest.raises(AutogradeError, match="appears twice"):
        parse_roster("id,name\n1,Ada\n1,Alan\n")


def test_each_layout_is_detected_and_can_be_forced(tmp_path, canvas_download):
    assert layouts.detect(canvas_download) == "canvas"
    assert layouts.detect(moodle_folder(tmp_path / "m")) == "moodle"
    assert layouts.detect(nbgrader_course(tmp_path / "c")) == "nbgrader"
    plain = tmp_path / "plain"
    (plain / "ada").mkdir(parents=True)
    (plain / "ada" / f"{NAME}.ipynb").write_text(GOOD)
    assert layouts.detect(plain) == "folders"
    # forced: the Canvas folder read as one entry per student: loose notebooks are refused,
    # and the student's zip is taken for a student named after the file
    if canvas_download.is_dir():
        forced = collect(canvas_download, ASSIGNMENTS, layout="folders")
        assert forced.layout == "folders"
        ok = {s.student_id for s in forced.submissions if s.status == "ok"}
        assert ok == {"curie_56789_67895_work"}


def test_a_zip_that_is_no_lms_download_is_refused_with_what_to_do(tmp_path):
    download = write_zip(tmp_path / "class.zip", {f"ada/{NAME}.ipynb": GOOD})
    with pytest.raises(AutogradeError, match="pass --layout"):
        collect(download, ASSIGNMENTS)
    with pytest.raises(AutogradeError, match="is not a folder"):
        collect(download, ASSIGNMENTS, layout="nbgrader")


def test_a_damaged_download_is_a_clear_error(tmp_path):
    download = tmp_path / "submissions.zip"
    download.write_bytes(b"PK\x03\x04 cut short")
    with pytest.raises(AutogradeError, match="is not a usable zip file .*download it again"):
        collect(download, ASSIGNMENTS)


def test_a_hostile_canvas_zip_is_refused_member_by_member(tmp_path):
    download = write_zip(tmp_path / "submissions.zip", {
        f"lovelaceada_12345_67890_{NAME}.ipynb": GOOD,
        f"evil_66666_1_../../{NAME}.ipynb": GOOD,
        "bomb_77777_2_big.ipynb": b"0" * (layouts.MAX_ZIP_RATIO * 4000)})
    subs = by_key(collect(download, ASSIGNMENTS))
    assert subs[("12345", NAME)].status == "ok"
    statuses = {sid: s for (sid, _), s in subs.items()}
    assert "unsafe path" in statuses["66666"].detail
    assert "zip bomb" in statuses["77777"].detail
