"""RFC 6587 framing of syslog TCP streams: octet counting, newlines, oversized and cut-off frames."""

from __future__ import annotations

import pytest

from forewarn.integrations.syslog import Frame, FrameDecoder


def feed_bytewise(decoder: FrameDecoder, data: bytes) -> list[Frame]:
    frames: list[Frame] = []
    for i in range(len(data)):
        frames += decoder.feed(data[i:i + 1])
    return frames


def test_octet_counted_frames_may_contain_newlines_and_arrive_in_pieces():
    stream = b"12 <13>hi\nthere5 <14>x"
    whole = FrameDecoder().feed(stream)
    assert [f.data for f in whole] == [b"<13>hi\nthere", b"<14>x"]
    decoder = FrameDecoder()
    assert [f.data for f in feed_bytewise(decoder, stream)] == [b"<13>hi\nthere", b"<14>x"]
    assert decoder.mode == "octet" and decoder.close() == []


def test_newline_delimited_frames_drop_cr_and_empty_lines():
    decoder = FrameDecoder()
    frames = decoder.feed(b"<13>one\r\n\n<13>two\n<13>thr") + decoder.close()
    assert [f.data for f in frames] == [b"<13>one", b"<13>two", b"<13>thr"]
    assert decoder.mode == "line" and not any(f.truncated for f in frames)


def test_a_line_feed_after_each_counted_frame_is_tolerated():
    decoder = FrameDecoder()
    assert [f.data for f in decoder.feed(b"3 <1>\n3 <2>\r\n")] == [b"<1>", b"<2>"]
    assert decoder.framing_errors == 0


def test_oversized_counted_frame_is_cut_flagged_and_the_next_one_is_intact():
    decoder = FrameDecoder(max_message=8)
    stream = b"20 <13>abcdefghijklmnop" + b"6 <13>ok"
    frames = feed_bytewise(decoder, stream)
    assert frames == [Frame(b"<13>abcd", 20, truncated=True), Frame(b"<13>ok", 6)]


def test_a_megabyte_line_is_truncated_to_the_maximum_not_buffered_whole():
    decoder = FrameDecoder(max_message=65536)
    line = b"<13>Nov 28 14:03:09 h app: " + b"x" * 1_000_000 + b"\n"
    frames: list[Frame] = []
    for start in range(0, len(line), 4096):
        frames += decoder.feed(line[start:start + 4096])
        assert len(decoder._buffer) <= 65536 + 4096  # memory stays bounded while the line streams in
    frames += decoder.feed(b"<13>after\n")
    assert len(frames) == 2
    assert frames[0].truncated and len(frames[0].data) == 65536 and frames[0].data.startswith(b"<13>Nov")
    assert frames[1] == Frame(b"<13>after", 9)


def test_an_oversized_line_that_arrives_at_once_reports_its_length():
    frames = FrameDecoder(max_message=4).feed(b"<13>toolong\n<1>\n")
    assert frames == [Frame(b"<13>", 11, truncated=True), Frame(b"<1>", 3)]


def test_stream_closed_inside_a_counted_frame_yields_what_arrived_flagged():
    decoder = FrameDecoder()
    assert decoder.feed(b"4 <1>a30 <13>cut") == [Frame(b"<1>a", 4)]
    assert decoder.close() == [Frame(b"<13>cut", 30, truncated=True)]


def test_stream_closed_inside_a_count_is_a_framing_error_not_a_frame():
    decoder = FrameDecoder()
    assert decoder.feed(b"4 <1>a12") == [Frame(b"<1>a", 4)]
    assert decoder.close() == [] and decoder.framing_errors == 1


def test_broken_count_falls_back_to_newline_framing():
    decoder = FrameDecoder()
    frames = decoder.feed(b"12x<13>not counted\n<13>next\n")
    assert decoder.mode == "line" and decoder.framing_errors == 1
    assert [f.data for f in frames] == [b"12x<13>not counted", b"<13>next"]


def test_max_message_must_be_positive():
    with pytest.raises(ValueError):
        FrameDecoder(max_message=0)
